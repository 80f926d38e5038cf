import { type EpochReport, hashEpochReportOffline } from "@tributary/sdk";
import type { Hex } from "viem";
import type { ChainContext } from "../context/NodeContext.ts";
import type { EpochRow } from "../db/schema.ts";
import { bundleUriOf } from "./epochRecords.ts";

/** The report of a bundled epoch row, as attestors sign it and Settlement takes it. */
export function reportOf(row: EpochRow): EpochReport {
  if (!row.bundle_cid || !row.charges_root || !row.rewards_root || !row.receipts_root) {
    throw new Error(`epoch ${row.epoch} is not bundled yet (status ${row.status})`);
  }
  return {
    epoch: BigInt(row.epoch),
    chargesRoot: row.charges_root as Hex,
    rewardsRoot: row.rewards_root as Hex,
    cumulativeCharged: BigInt(row.cumulative_charged ?? "0"),
    cumulativeRewards: BigInt(row.cumulative_rewards ?? "0"),
    receiptsRoot: row.receipts_root as Hex,
    bundleURI: bundleUriOf(row.bundle_cid),
  };
}

/** The EIP-712 digest of a report on this node's Settlement. */
export function digestOf(chain: ChainContext, report: EpochReport): Hex {
  return hashEpochReportOffline({
    chainId: chain.chainId,
    settlement: chain.deployment.contracts.settlement,
    report,
  });
}

/** A report as JSON (bigints as decimal strings), as the co-signing route takes it. */
export function reportToJson(report: EpochReport): Record<string, string> {
  return {
    epoch: report.epoch.toString(),
    chargesRoot: report.chargesRoot,
    rewardsRoot: report.rewardsRoot,
    cumulativeCharged: report.cumulativeCharged.toString(),
    cumulativeRewards: report.cumulativeRewards.toString(),
    receiptsRoot: report.receiptsRoot,
    bundleURI: report.bundleURI,
  };
}
