import type { Kysely } from "kysely";

/**
 * Versions this node publishes, written before the transaction is broadcast so a crash at any step can be
 * finished on restart (`recoverPublications`): the planned root, count, manifest and index, and the signed
 * transaction itself (raw bytes and nonce), so a rebroadcast is the very same transaction.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("publications")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("planned_version", "integer", (c) => c.notNull())
    .addColumn("version", "integer")
    .addColumn("contributions_root", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("manifest_cid", "text", (c) => c.notNull())
    .addColumn("index_id", "text", (c) => c.notNull())
    .addColumn("tokens", "integer", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("tx_hash", "text", (c) => c.notNull())
    .addColumn("raw_tx", "text", (c) => c.notNull())
    .addColumn("nonce", "integer", (c) => c.notNull())
    .addColumn("block_number", "integer")
    .addColumn("error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("publications_datanet_state")
    .on("publications")
    .columns(["datanet_id", "state"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("publications").execute();
}
