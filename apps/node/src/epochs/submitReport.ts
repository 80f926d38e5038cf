import { finalizeEpoch, getFinalizedEpoch, getPendingEpoch, submitEpoch } from "@tributary/sdk";
import type { Hex } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import type { EpochRow } from "../db/schema.ts";
import { onChainReport } from "./chainReads.ts";
import { attestationsOf, getEpochRow, updateEpoch } from "./epochRecords.ts";
import { failpoint } from "./failpoint.ts";
import { reportOf } from "./reportOf.ts";

/**
 * Step 4 of a close: relays the signed report to Settlement (`submitEpoch`) and records the transaction and
 * the end of the challenge window (`submitted`). Idempotent: when the chain already has this report (the
 * node died after broadcasting), it only records it, so a restart never submits twice (Settlement would
 * refuse a second report for the epoch anyway).
 */
export async function submitReport(ctx: NodeContext, chain: ChainContext, row: EpochRow): Promise<EpochRow> {
  const known = await recordIfOnChain(ctx, chain, row);
  if (known) return known;
  const report = reportOf(row);
  const signatures = attestationsOf(row).map((a) => a.signature);
  const { hash, challengeEndsAt } = await submitEpoch(chain.sdk, { report, signatures });
  failpoint("after-broadcast"); // the transaction is on chain, the database does not know yet
  await updateEpoch(ctx, row.epoch, {
    status: "submitted",
    submit_tx: hash,
    challenge_ends_at: Number(challengeEndsAt),
  });
  failpoint("after-submit");
  return (await getEpochRow(ctx, row.epoch)) as EpochRow;
}

/**
 * When Settlement already holds this row's report (pending or finalized), records that and returns the
 * updated row; undefined when it does not.
 */
export async function recordIfOnChain(
  ctx: NodeContext,
  chain: ChainContext,
  row: EpochRow,
): Promise<EpochRow | undefined> {
  if (!row.digest) return undefined;
  const [pending, finalized] = await Promise.all([getPendingEpoch(chain.sdk), getFinalizedEpoch(chain.sdk)]);
  const ours = (r: { epoch: bigint; digest: Hex }) =>
    r.epoch === BigInt(row.epoch) && r.digest.toLowerCase() === row.digest?.toLowerCase();
  if (!ours(pending) && !(finalized.epoch >= BigInt(row.epoch))) return undefined;
  if (finalized.epoch >= BigInt(row.epoch) && !ours(finalized) && finalized.epoch === BigInt(row.epoch)) {
    throw new Error(
      `epoch ${row.epoch} was finalized on chain with another report (digest ${finalized.digest})`,
    );
  }
  const event = await onChainReport(chain, BigInt(row.epoch));
  const finalizedNow = finalized.epoch >= BigInt(row.epoch);
  await updateEpoch(ctx, row.epoch, {
    status: finalizedNow ? "finalized" : "submitted",
    submit_tx: row.submit_tx ?? event?.txHash ?? null,
    challenge_ends_at: row.challenge_ends_at ?? Number(event?.challengeEndsAt ?? pending.challengeEndsAt),
  });
  return (await getEpochRow(ctx, row.epoch)) as EpochRow;
}

/**
 * Finalizes a submitted report once its challenge window has passed (anyone may; the node does it for its
 * own reports). Idempotent: a report already finalized on chain is only recorded.
 *
 * @throws {ApiError} 409 `CHALLENGE_WINDOW_OPEN` before the window ends.
 */
export async function finalizeReport(
  ctx: NodeContext,
  chain: ChainContext,
  row: EpochRow,
): Promise<EpochRow> {
  if (row.status === "finalized") return row;
  const finalized = await getFinalizedEpoch(chain.sdk);
  if (finalized.epoch >= BigInt(row.epoch)) {
    await updateEpoch(ctx, row.epoch, { status: "finalized" });
    return (await getEpochRow(ctx, row.epoch)) as EpochRow;
  }
  // The next block's time is at least the wall clock (an idle local chain mines no block, so its latest
  // timestamp lags); the contract has the last word and its refusal becomes the same 409.
  const block = await chain.publicClient.getBlock({ blockTag: "latest" });
  const now = BigInt(Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000)));
  const endsAt = BigInt(row.challenge_ends_at ?? 0);
  const windowOpen = (wait: number) =>
    new ApiError(
      409,
      "CHALLENGE_WINDOW_OPEN",
      `epoch ${row.epoch} is in its challenge window until ${new Date(Number(endsAt) * 1000).toISOString()} (${wait} more second${wait === 1 ? "" : "s"})`,
      "Finalize after the window ends; the guardian may veto the report until then.",
    );
  if (now < endsAt) throw windowOpen(Number(endsAt - now));
  let hash: Hex;
  try {
    ({ hash } = await finalizeEpoch(chain.sdk, { epoch: BigInt(row.epoch) }));
  } catch (error) {
    if ((error as { errorName?: string }).errorName === "SettlementChallengeWindowOpen") throw windowOpen(1);
    throw error;
  }
  failpoint("after-finalize-broadcast");
  await updateEpoch(ctx, row.epoch, { status: "finalized", finalize_tx: hash });
  return (await getEpochRow(ctx, row.epoch)) as EpochRow;
}
