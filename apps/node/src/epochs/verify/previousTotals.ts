import { buildCumulativeTree } from "@tributary/core";
import { type Address, getAddress, type Hex } from "viem";
import type { BundleHeader, BundleLine, BundleReportLine } from "../bundle.ts";
import type { Differences } from "./differences.ts";

/** The cumulative totals an epoch starts from: the previous epoch's leaves. */
export type PreviousTotals = { charges: Map<Address, bigint>; rewards: Map<Address, bigint> };

/** What {@link previousTotals} needs besides the header. */
export type PreviousTotalsParameters = {
  /** Opens another bundle by CID (the previous epoch's). */
  openBundle: (cid: string) => Promise<AsyncIterable<BundleLine>>;
  /** The report the previous epoch finalized on chain, when there is one. */
  previousOnChain?: { epoch: bigint; chargesRoot: Hex; rewardsRoot: Hex } | undefined;
};

const toEntries = (m: Map<Address, bigint>) => [...m].map(([account, amount]) => ({ account, amount }));

/**
 * Step 2: the starting totals, read from the previous epoch's bundle (named by the header), whose trees must
 * have the roots the previous report finalized on chain. Empty maps for the first epoch.
 */
export async function previousTotals(
  header: BundleHeader,
  previousEpoch: bigint,
  params: PreviousTotalsParameters,
  differences: Differences,
): Promise<PreviousTotals> {
  const diff = differences.add;
  const previous: PreviousTotals = { charges: new Map(), rewards: new Map() };
  if (previousEpoch <= 0n) return previous;
  if (!header.previousBundleCid) {
    diff({ field: "header.previousBundleCid", expected: "the previous epoch's bundle", actual: "" });
    return previous;
  }
  let previousReport: BundleReportLine | undefined;
  for await (const line of await params.openBundle(header.previousBundleCid)) {
    if (line.type === "charge") previous.charges.set(getAddress(line.account), BigInt(line.amount));
    if (line.type === "reward") previous.rewards.set(getAddress(line.account), BigInt(line.amount));
    if (line.type === "report") previousReport = line;
  }
  const onChain = params.previousOnChain;
  const chargesRoot = previous.charges.size
    ? buildCumulativeTree(toEntries(previous.charges)).root
    : undefined;
  const rewardsRoot = previous.rewards.size
    ? buildCumulativeTree(toEntries(previous.rewards)).root
    : undefined;
  if (!onChain || onChain.epoch !== previousEpoch) {
    diff({
      field: "previous.finalized",
      expected: `epoch ${previousEpoch} finalized on chain`,
      actual: onChain ? `epoch ${onChain.epoch}` : "none",
    });
  } else {
    if ((chargesRoot ?? previousReport?.chargesRoot) !== onChain.chargesRoot) {
      diff({ field: "previous.chargesRoot", expected: onChain.chargesRoot, actual: String(chargesRoot) });
    }
    if ((rewardsRoot ?? previousReport?.rewardsRoot) !== onChain.rewardsRoot) {
      diff({ field: "previous.rewardsRoot", expected: onChain.rewardsRoot, actual: String(rewardsRoot) });
    }
  }
  return previous;
}
