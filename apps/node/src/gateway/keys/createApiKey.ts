import { randomBytes, randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { ApiKeyRow, Database } from "../../db/schema.ts";
import { API_KEY_PREFIX, type ApiKeyView, hashKey, toKeyView } from "./apiKeys.ts";

/** Options of {@link createApiKey}. */
export type CreateApiKeyOptions = { name?: string; rateLimitPerMinute?: number };

/**
 * Creates an API key for `payer`; the plaintext is returned once, only its sha-256 is stored.
 *
 * @example
 * const { key } = await createApiKey(db, payer, { name: "laptop" }); // "trib_…"
 */
export async function createApiKey(
  db: Kysely<Database>,
  payer: Address,
  options: CreateApiKeyOptions = {},
): Promise<ApiKeyView & { key: string }> {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString("hex")}`;
  const row: ApiKeyRow = {
    id: randomUUID(),
    key_hash: hashKey(key),
    payer: payer.toLowerCase(),
    created_at: new Date().toISOString(),
    revoked: 0,
    name: options.name ?? null,
    rate_limit_per_minute: options.rateLimitPerMinute ?? null,
  };
  await db.insertInto("api_keys").values(row).execute();
  return { ...toKeyView(row), key };
}
