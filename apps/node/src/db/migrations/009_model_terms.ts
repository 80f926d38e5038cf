import type { Kysely } from "kysely";

/**
 * The `model_terms` projection of ModelRegistry: one row per event that sets a model's terms (registration,
 * pricing, split, owner, deprecation), each holding the model's whole terms after it. The gateway serves with
 * the last row; the verifier checks each receipt against the terms in effect when it was served.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("model_terms")
    .addColumn("model_id", "integer", (c) => c.notNull())
    .addColumn("block_number", "integer", (c) => c.notNull())
    .addColumn("log_index", "integer", (c) => c.notNull())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("per_call", "text", (c) => c.notNull())
    .addColumn("per_1k_output_tokens", "text", (c) => c.notNull())
    .addColumn("owner_bps", "integer", (c) => c.notNull())
    .addColumn("data_bps", "integer", (c) => c.notNull())
    .addColumn("deprecated", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("model_terms_pk", ["model_id", "block_number", "log_index"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("model_terms").execute();
}
