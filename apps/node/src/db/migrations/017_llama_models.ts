import type { Kysely } from "kysely";

/**
 * Local llama models (issue 13, OpenLoRA): `models.llama` holds, for `kind = 'llama'`, the JSON
 * `{ baseFile, baseSha256, adapterFile?, adapterSha256?, scale }` of the base GGUF and its optional LoRA adapter
 * on this node's disk (null for other kinds). Paths are the operator's; the hashes are the model's identity.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("models").addColumn("llama", "text").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("models").dropColumn("llama").execute();
}
