import { sql } from "kysely";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import type { EpochRow } from "../db/schema.ts";
import { CUT_STATE } from "./epochRecords.ts";
import { failpoint } from "./failpoint.ts";

/**
 * Step 1 of a close: records epoch `epoch` as `cut`, taking every receipt not yet in an epoch up to the newest
 * one now (its `last_rowid`; see `receiptRange`). Receipts written afterwards go to the next epoch; a
 * crash before the commit leaves nothing cut, after it the cut is complete.
 */
export async function cutEpoch(
  ctx: NodeContext,
  chain: ChainContext,
  epoch: number,
  previousEpoch: number,
): Promise<EpochRow> {
  const payersBlock = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  const now = new Date().toISOString();
  const row = await ctx.db.transaction().execute(async (trx) => {
    // PostgreSQL hands out rowids (an identity sequence) before commit, not in commit order: a receipt with a
    // smaller rowid could commit after this read and fall behind the cut. SHARE mode waits for every open insert
    // into receipts (each holds ROW EXCLUSIVE from before its rowid is drawn) and holds new ones back until the
    // cut commits, so every rowid ≤ the max read here is committed, and later ones are larger (docs/replicas.md).
    if (ctx.dialect === "postgres") await sql`lock table receipts in share mode`.execute(trx);
    const { last } = await trx
      .selectFrom("receipts")
      .select(sql<number>`coalesce(max(rowid), 0)`.as("last"))
      .executeTakeFirstOrThrow();
    const values: EpochRow = {
      epoch,
      ...CUT_STATE,
      last_rowid: last,
      previous_epoch: previousEpoch,
      payers_block: payersBlock,
      submit_tx: null,
      challenge_ends_at: null,
      finalize_tx: null,
      created_at: now,
      updated_at: now,
    };
    await trx.insertInto("epochs").values(values).execute();
    return values;
  });
  failpoint("after-cut");
  return row;
}
