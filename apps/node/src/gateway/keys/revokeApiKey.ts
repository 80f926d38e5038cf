import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { KeyCache } from "./apiKeys.ts";

/**
 * Revokes a key by id (and forgets every cached key, so it gets 401 at once); false when there is no such key.
 *
 * @example
 * if (!(await revokeApiKey(db, keys, id))) throw notFound;
 */
export async function revokeApiKey(db: Kysely<Database>, keys: KeyCache, id: string): Promise<boolean> {
  const r = await db.updateTable("api_keys").set({ revoked: 1 }).where("id", "=", id).executeTakeFirst();
  keys.clear();
  return Number(r.numUpdatedRows) > 0;
}
