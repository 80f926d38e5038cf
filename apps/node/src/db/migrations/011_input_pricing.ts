import type { Kysely } from "kysely";

/**
 * Input tokens are priced, and prompts are bounded per model (issue 11, item 5):
 * - `model_terms.per_1k_input_tokens` and `models.per_1k_input_tokens`: ModelRegistry's `Pricing.per1kInputTokens`
 *   (decimal; '0' for rows written before it existed);
 * - `models.max_input_tokens`, `models.max_prompt_bytes`, `models.max_output_tokens`: the node's per-model limits
 *   on a request (null = the node's defaults, `GatewayConfig`). They are the operator's policy, not chain terms.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("model_terms")
    .addColumn("per_1k_input_tokens", "text", (c) => c.notNull().defaultTo("0"))
    .execute();
  await db.schema
    .alterTable("models")
    .addColumn("per_1k_input_tokens", "text", (c) => c.notNull().defaultTo("0"))
    .execute();
  await db.schema.alterTable("models").addColumn("max_input_tokens", "integer").execute();
  await db.schema.alterTable("models").addColumn("max_prompt_bytes", "integer").execute();
  await db.schema.alterTable("models").addColumn("max_output_tokens", "integer").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ["max_output_tokens", "max_prompt_bytes", "max_input_tokens", "per_1k_input_tokens"]) {
    await db.schema.alterTable("models").dropColumn(column).execute();
  }
  await db.schema.alterTable("model_terms").dropColumn("per_1k_input_tokens").execute();
}
