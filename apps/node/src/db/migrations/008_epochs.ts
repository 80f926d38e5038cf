import type { Kysely } from "kysely";

/**
 * Epoch close (apps/node/src/epochs): one row per report this node built (`epochs`, keyed by epoch number; a
 * vetoed attempt moves to `epoch_vetoes`), the cumulative leaves of both trees per epoch (`epoch_leaves`, for
 * proofs and history), each account's earnings of an epoch by model and datanet (`epoch_earnings`), and the
 * prompt of every receipt (`receipts.input`: the bundle publishes it so anyone can re-run the generation).
 * Amounts are decimal TEXT (exact bigint).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("receipts").addColumn("input", "text").execute();
  await db.schema
    .createTable("epochs")
    .addColumn("epoch", "integer", (c) => c.primaryKey())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("last_rowid", "integer", (c) => c.notNull())
    .addColumn("previous_epoch", "integer", (c) => c.notNull())
    .addColumn("payers_block", "integer", (c) => c.notNull())
    .addColumn("receipt_count", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("epoch_charged", "text", (c) => c.notNull().defaultTo("0"))
    .addColumn("cumulative_charged", "text")
    .addColumn("cumulative_rewards", "text")
    .addColumn("charges_root", "text")
    .addColumn("rewards_root", "text")
    .addColumn("receipts_root", "text")
    .addColumn("bundle_cid", "text")
    .addColumn("digest", "text")
    .addColumn("signatures", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("submit_tx", "text")
    .addColumn("challenge_ends_at", "integer")
    .addColumn("finalize_tx", "text")
    .addColumn("verification", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("epoch_vetoes")
    .addColumn("epoch", "integer", (c) => c.notNull())
    .addColumn("digest", "text", (c) => c.notNull())
    .addColumn("bundle_cid", "text")
    .addColumn("vetoed_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("epoch_leaves")
    .addColumn("epoch", "integer", (c) => c.notNull())
    .addColumn("tree", "text", (c) => c.notNull())
    .addColumn("account", "text", (c) => c.notNull())
    .addColumn("amount", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("epoch_leaves_pk", ["epoch", "tree", "account"])
    .execute();
  await db.schema
    .createTable("epoch_earnings")
    .addColumn("epoch", "integer", (c) => c.notNull())
    .addColumn("account", "text", (c) => c.notNull())
    .addColumn("role", "text", (c) => c.notNull())
    .addColumn("model_id", "integer", (c) => c.notNull())
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("amount", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("epoch_earnings_pk", ["epoch", "account", "role", "model_id", "datanet_id"])
    .execute();
  await db.schema.createIndex("epoch_earnings_account").on("epoch_earnings").column("account").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["epoch_earnings", "epoch_leaves", "epoch_vetoes", "epochs"]) {
    await db.schema.dropTable(t).execute();
  }
  await db.schema.alterTable("receipts").dropColumn("input").execute();
}
