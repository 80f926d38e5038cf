import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/schema.ts";
import { API_KEY_PREFIX, type AuthenticatedKey, hashKey, type KeyCache } from "./apiKeys.ts";

const KEY_TTL_MS = 10_000;

/**
 * The key of a plaintext API key, or undefined when unknown or revoked. Found keys are cached for 10 s
 * (`revokeApiKey` clears the cache).
 *
 * @example
 * const key = await authenticate(db, keys, "trib_…");
 */
export async function authenticate(
  db: Kysely<Database>,
  keys: KeyCache,
  key: string,
): Promise<AuthenticatedKey | undefined> {
  if (!key.startsWith(API_KEY_PREFIX)) return undefined;
  const hash = hashKey(key);
  const hit = keys.get(hash);
  if (hit && Date.now() - hit.at < KEY_TTL_MS) return hit.key;
  const row = await db
    .selectFrom("api_keys")
    .select(["id", "payer", "rate_limit_per_minute"])
    .where("key_hash", "=", hash)
    .where("revoked", "=", 0)
    .executeTakeFirst();
  if (!row) {
    keys.delete(hash);
    return undefined;
  }
  const found = { id: row.id, payer: row.payer as Address, rateLimitPerMinute: row.rate_limit_per_minute };
  keys.set(hash, { key: found, at: Date.now() });
  return found;
}
