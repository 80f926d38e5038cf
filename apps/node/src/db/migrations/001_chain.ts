import type { Kysely } from "kysely";

/** Indexer bookkeeping and the raw log table. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("chain_cursor")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("block_number", "integer", (c) => c.notNull())
    .addColumn("block_hash", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("chain_blocks")
    .addColumn("block_number", "integer", (c) => c.primaryKey())
    .addColumn("block_hash", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("chain_logs")
    .addColumn("block_number", "integer", (c) => c.notNull())
    .addColumn("log_index", "integer", (c) => c.notNull())
    .addColumn("block_hash", "text", (c) => c.notNull())
    .addColumn("tx_hash", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull())
    .addColumn("event_name", "text", (c) => c.notNull())
    .addColumn("args", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("chain_logs_pk", ["block_number", "log_index"])
    .execute();
  await db.schema.createIndex("chain_logs_event").on("chain_logs").columns(["event_name"]).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["chain_logs", "chain_blocks", "chain_cursor"]) await db.schema.dropTable(t).execute();
}
