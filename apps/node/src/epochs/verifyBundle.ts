import { type EpochDifference, verifyEpoch } from "@tributary/core";
import type { EpochReport } from "@tributary/sdk";
import type { Hex } from "viem";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import { BundleFormatError, type BundleLine } from "./bundle.ts";
import { listDepositors } from "./chainReads.ts";
import { checkBundleTail } from "./verify/checkBundleTail.ts";
import { checkHeader } from "./verify/checkHeader.ts";
import { createDifferences } from "./verify/differences.ts";
import { VerifyInputError } from "./verify/errors.ts";
import { previousTotals } from "./verify/previousTotals.ts";
import { readReceipts } from "./verify/readReceipts.ts";
import { createAttributionRecomputer } from "./verify/recomputeAttribution.ts";
import { createSplitContext } from "./verify/splitContext.ts";
import { createVersionSetLoader } from "./verify/versionSets.ts";

export type { AttributionEngine } from "./verify/recomputeAttribution.ts";
export { TERMS_GRACE_SECONDS } from "./verify/servedTerms.ts";
export { VerifyInputError };

/** What `verifyBundle` concludes. Differences name the receipt when they are in one. */
export type BundleVerification = {
  ok: boolean;
  epoch: number;
  receiptCount: number;
  differences: EpochDifference[];
  truncated: boolean;
  checkedAt: string;
};

/** Parameters of {@link verifyBundle}. */
export type VerifyBundleParameters = {
  /** The report to check the bundle against (on chain, or the one a peer asks to co-sign). */
  report: EpochReport;
  /** The bundle, line by line. */
  lines: AsyncIterable<BundleLine>;
  /** Opens another bundle by CID (the previous epoch's, whose leaves are this epoch's starting totals). */
  openBundle: (cid: string) => Promise<AsyncIterable<BundleLine>>;
  /** The cumulative report the previous epoch finalized on chain (roots and totals), when there is one. */
  previousOnChain?: { epoch: bigint; chargesRoot: Hex; rewardsRoot: Hex } | undefined;
  /**
   * Gives this node the index of a version it lacks (see `fetchVersionIndex`: from other nodes, checked
   * against the chain); without it, a missing index stops the verification with `VerifyInputError`.
   */
  fetchVersion?: (datanetId: bigint, version: number) => Promise<unknown>;
  maxDifferences?: number;
  /**
   * The number of receipts the bundle's sender announced (a co-sign request): reading stops with a difference
   * past it, so a crafted bundle cannot cost more verification work than the request it came with claimed.
   */
  maxReceipts?: number;
  /** Called as the verification advances (long bundles take a while). */
  onProgress?: (event: VerifyProgress) => void;
};

/** A step of a verification, for progress lines. */
export type VerifyProgress =
  | { step: "bundle"; cid: string }
  | { step: "version"; datanetId: bigint; version: number }
  | { step: "receipts"; count: number };

/**
 * Recomputes an epoch from its bundle and compares it with `report`, in five steps (each in `verify/`):
 * 1. `checkHeader`: the header names this chain, this Settlement and the report's epoch;
 * 2. `previousTotals`: the starting totals are the previous bundle's leaves, whose roots the chain finalized;
 * 3. `readReceipts`: every receipt's canonical form, hash, node signature, input and output hashes and input
 *    tokens; then `verifyEpoch` (core) re-attributes each (`createAttributionRecomputer`, on this node's copy
 *    of the datanet version index) and reprices and splits it (`createSplitContext`: pricing, split, protocol
 *    fee, treasury, owner, agent and payout addresses from the chain and this node's projection of it);
 * 4. `verifyEpoch` also rebuilds both cumulative trees, the receipts root and the totals and compares them with
 *    the report;
 * 5. `checkBundleTail`: the bundle's own payer and leaf lines (what the node serves proofs from) match.
 */
export async function verifyBundle(
  ctx: NodeContext,
  chain: ChainContext,
  params: VerifyBundleParameters,
): Promise<BundleVerification> {
  const { report } = params;
  const max = params.maxDifferences ?? 1000;
  const differences = createDifferences(max);
  const iterator = params.lines[Symbol.asyncIterator]();
  let reader: ReturnType<typeof readReceipts> | undefined;
  const finish = (): BundleVerification => ({
    ok: differences.list.length === 0,
    epoch: Number(report.epoch),
    receiptCount: reader?.count() ?? 0,
    differences: differences.list,
    truncated: differences.truncated,
    checkedAt: new Date().toISOString(),
  });

  try {
    const { header, previousEpoch } = await checkHeader(iterator, chain, report, differences);
    const previous = await previousTotals(header, previousEpoch, params, differences);
    const payers = await listDepositors(chain, BigInt(header.payersBlock));
    const versionSetOf = createVersionSetLoader(ctx, params.fetchVersion);
    const context = await createSplitContext(ctx, chain, versionSetOf, differences);
    reader = readReceipts(
      iterator,
      { tokenizer: ctx.tokenizer, maxReceipts: params.maxReceipts },
      differences,
    );
    const recomputeAttribution = createAttributionRecomputer(ctx, versionSetOf, reader.texts, differences);

    const result = await verifyEpoch({
      report,
      receipts: reader.receipts,
      previous,
      payers,
      context,
      recomputeAttribution,
      maxDifferences: max,
    });
    if (!result.ok) {
      for (const d of result.differences) differences.add(d);
      if (result.truncated) differences.markTruncated();
    }
    checkBundleTail(
      reader.tail,
      { report, payers, receiptCount: reader.count(), maxReceipts: params.maxReceipts },
      differences,
    );
    return finish();
  } catch (error) {
    if (error instanceof BundleFormatError || error instanceof VerifyInputError) {
      differences.add({
        field: error instanceof BundleFormatError ? "bundle" : "verifier",
        expected: error instanceof VerifyInputError ? error.hint : "a well-formed bundle",
        actual: error.message,
      });
      return finish();
    }
    throw error;
  }
}
