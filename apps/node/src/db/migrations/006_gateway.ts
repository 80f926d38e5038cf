import type { Kysely } from "kysely";

/**
 * The payable gateway (apps/node/src/gateway): API keys (hashed), the models this node serves, the receipts of
 * every served inference (written before the response completes) and each payer's running total of charges.
 * Amounts are decimal TEXT (exact bigint).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("api_keys")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("key_hash", "text", (c) => c.notNull().unique())
    .addColumn("payer", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("revoked", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable("models")
    .addColumn("model_id", "integer", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull().unique())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("index_id", "text", (c) => c.notNull())
    .addColumn("per_call", "text", (c) => c.notNull())
    .addColumn("per_1k_output_tokens", "text", (c) => c.notNull())
    .addColumn("owner_bps", "integer", (c) => c.notNull())
    .addColumn("data_bps", "integer", (c) => c.notNull())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("receipts")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("payer", "text", (c) => c.notNull())
    .addColumn("model_id", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("price", "text", (c) => c.notNull())
    .addColumn("charged", "text", (c) => c.notNull())
    .addColumn("receipt_json", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addColumn("output", "text", (c) => c.notNull())
    .addColumn("epoch", "integer")
    .execute();
  await db.schema.createIndex("receipts_payer").on("receipts").column("payer").execute();
  await db.schema.createIndex("receipts_epoch").on("receipts").column("epoch").execute();
  await db.schema
    .createTable("payer_charges")
    .addColumn("payer", "text", (c) => c.primaryKey())
    .addColumn("charged", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["payer_charges", "receipts", "models", "api_keys"]) await db.schema.dropTable(t).execute();
}
