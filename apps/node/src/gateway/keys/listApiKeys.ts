import { type Kysely, sql } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/schema.ts";
import { type ApiKeyView, toKeyView } from "./apiKeys.ts";

/** Parameters of {@link listApiKeys}. */
export type ListApiKeysParameters = { payer?: Address; limit: number; cursor?: string };

/**
 * Keys, oldest first, optionally of one payer; `cursor` is the previous page's `nextCursor`.
 *
 * @example
 * const { items, nextCursor } = await listApiKeys(db, { limit: 100 });
 */
export async function listApiKeys(
  db: Kysely<Database>,
  { payer, limit, cursor }: ListApiKeysParameters,
): Promise<{ items: ApiKeyView[]; nextCursor: string | null }> {
  let q = db
    .selectFrom("api_keys")
    .select([
      "id",
      "payer",
      "name",
      "rate_limit_per_minute",
      "created_at",
      "revoked",
      sql<number>`rowid`.as("seq"),
    ])
    .orderBy(sql`rowid`)
    .limit(limit + 1);
  if (payer) q = q.where("payer", "=", payer.toLowerCase());
  if (cursor !== undefined) q = q.where(sql<number>`rowid`, ">", Number(cursor));
  const rows = await q.execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toKeyView),
    nextCursor: rows.length > limit && last ? String(last.seq) : null,
  };
}
