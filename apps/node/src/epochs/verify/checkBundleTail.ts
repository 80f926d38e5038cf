import { buildCumulativeTree } from "@tributary/core";
import type { EpochReport } from "@tributary/sdk";
import type { Address } from "viem";
import type { Differences } from "./differences.ts";
import type { BundleTail } from "./readReceipts.ts";

const root = (entries: { account: Address; amount: bigint }[]) =>
  entries.length ? buildCumulativeTree(entries).root : `0x${"00".repeat(32)}`;

/**
 * Step 5: the bundle's own lines, which proofs are served from, must be what was recomputed: the payers are
 * the depositors read from the chain, the leaves build the report's roots, a report line is present, and the
 * receipt count is the one announced (when one was).
 */
export function checkBundleTail(
  tail: BundleTail,
  expected: {
    report: EpochReport;
    payers: readonly Address[];
    receiptCount: number;
    maxReceipts?: number | undefined;
  },
  differences: Differences,
): void {
  const diff = differences.add;
  const { report } = expected;
  const expectedPayers = expected.payers.map((p) => p.toLowerCase());
  if (tail.payers.join(",") !== expectedPayers.join(",")) {
    diff({ field: "bundle.payers", expected: expectedPayers.join(" "), actual: tail.payers.join(" ") });
  }
  if (root(tail.charges) !== report.chargesRoot) {
    diff({ field: "bundle.chargeLeaves", expected: report.chargesRoot, actual: root(tail.charges) });
  }
  if (root(tail.rewards) !== report.rewardsRoot) {
    diff({ field: "bundle.rewardLeaves", expected: report.rewardsRoot, actual: root(tail.rewards) });
  }
  if (!tail.report) diff({ field: "bundle.report", expected: "a report line", actual: "absent" });
  if (expected.maxReceipts !== undefined && expected.receiptCount !== expected.maxReceipts) {
    diff({
      field: "receiptCount",
      expected: String(expected.maxReceipts),
      actual: String(expected.receiptCount),
    });
  }
}
