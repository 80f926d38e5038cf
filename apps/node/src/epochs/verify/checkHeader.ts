import type { EpochReport } from "@tributary/sdk";
import type { ChainContext } from "../../context/NodeContext.ts";
import { BundleFormatError, type BundleHeader, type BundleLine } from "../bundle.ts";
import type { Differences } from "./differences.ts";

const lower = (s: string) => s.toLowerCase();

/**
 * Step 1: reads the bundle's first line, which must be its header, and compares it with the chain (chain id,
 * Settlement address) and the report (epoch, previous epoch).
 *
 * @throws {BundleFormatError} when the bundle does not start with a header.
 */
export async function checkHeader(
  iterator: AsyncIterator<BundleLine>,
  chain: Pick<ChainContext, "chainId" | "deployment">,
  report: EpochReport,
  differences: Differences,
): Promise<{ header: BundleHeader; previousEpoch: bigint }> {
  const diff = differences.add;
  const first = await iterator.next();
  const header = first.value as BundleLine | undefined;
  if (first.done || header?.type !== "header") throw new BundleFormatError(1, "no header");
  if (header.chainId !== chain.chainId) {
    diff({ field: "header.chainId", expected: String(chain.chainId), actual: String(header.chainId) });
  }
  if (lower(header.settlement) !== lower(chain.deployment.contracts.settlement)) {
    diff({
      field: "header.settlement",
      expected: chain.deployment.contracts.settlement,
      actual: header.settlement,
    });
  }
  if (header.epoch !== report.epoch.toString()) {
    diff({ field: "header.epoch", expected: report.epoch.toString(), actual: header.epoch });
  }
  const previousEpoch = BigInt(header.previousEpoch);
  if (previousEpoch !== report.epoch - 1n) {
    diff({
      field: "header.previousEpoch",
      expected: (report.epoch - 1n).toString(),
      actual: header.previousEpoch,
    });
  }
  return { header, previousEpoch };
}
