import type { Kysely } from "kysely";

/**
 * Receipts an epoch close left out because they cannot be verified (apps/node/src/epochs/quarantine.ts): one row
 * per receipt, with the epoch it was taken out of and why. A quarantined receipt is in no bundle and no tree: its
 * payer is not charged for it and nobody is paid for it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("receipt_quarantine")
    .addColumn("receipt_id", "text", (c) => c.primaryKey())
    .addColumn("receipt_rowid", "integer", (c) => c.notNull().unique())
    .addColumn("epoch", "integer", (c) => c.notNull())
    .addColumn("payer", "text", (c) => c.notNull())
    .addColumn("charged", "text", (c) => c.notNull())
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("quarantined_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("receipt_quarantine").execute();
}
