import type { Kysely } from "kysely";
import type { Address } from "viem";
import { ApiError } from "../../api/ApiError.ts";
import type { Database } from "../../db/schema.ts";

const PAYOUT_TTL_MS = 2_000;

/**
 * Creates the lookup of contributions' payout addresses (`setPayoutAddress`, else the contributor), cached 2 s;
 * 503 `CONTRIBUTIONS_NOT_INDEXED` when one is not indexed yet.
 *
 * @example
 * const payouts = createPayouts(db);
 * const byId = await payouts([1n, 2n]);
 */
export function createPayouts(
  db: Kysely<Database>,
): (ids: readonly bigint[]) => Promise<Map<bigint, { payout: Address }>> {
  const payoutCache = new Map<bigint, { payout: Address; at: number }>();
  return async (ids) => {
    const out = new Map<bigint, { payout: Address }>();
    if (ids.length === 0) return out;
    const now = Date.now();
    const missing: bigint[] = [];
    for (const id of ids) {
      const hit = payoutCache.get(id);
      if (hit && now - hit.at < PAYOUT_TTL_MS) out.set(id, { payout: hit.payout });
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const rows = await db
        .selectFrom("contributions")
        .leftJoin("payout_addresses", "payout_addresses.contributor", "contributions.contributor")
        .select(["contributions.id", "contributions.contributor", "payout_addresses.payout"])
        .where(
          "contributions.id",
          "in",
          chunk.map((id) => Number(id)),
        )
        .execute();
      for (const r of rows) {
        const payout = (r.payout ?? r.contributor) as Address;
        out.set(BigInt(r.id), { payout });
        payoutCache.set(BigInt(r.id), { payout, at: now });
      }
    }
    const absent = ids.filter((id) => !out.has(id));
    if (absent.length > 0) {
      throw new ApiError(
        503,
        "CONTRIBUTIONS_NOT_INDEXED",
        `contributions ${absent.slice(0, 5).join(", ")} are not indexed yet`,
        "Wait for the node's indexer to catch up with the chain, then retry.",
      );
    }
    return out;
  };
}
