import type { Address, Hex } from "viem";
import { canonicalJson } from "../attribution/canonicalJson.ts";
import type { EpochReport } from "./buildEpochReport.ts";
import { computePrice } from "./computePrice.ts";
import { createEpochAggregator } from "./createEpochAggregator.ts";
import type { Receipt } from "./receipt.ts";
import { receiptHash } from "./receiptHash.ts";
import { computeReceiptsRoot, type ReceiptLeaf } from "./receiptsRoot.ts";
import { type SplitFeeReturnType, splitFee } from "./splitFee.ts";
import type {
  ContributionPayout,
  ContributionShare,
  CumulativeTotals,
  FallbackContribution,
  FeePart,
  Pricing,
  Split,
} from "./types.ts";

/**
 * What a verifier knows about a receipt from the chain and the datanet versions, independently of the
 * receipt: who is paid, and (optionally) the model's pricing, split and fee rates in force.
 */
export type SplitContext = {
  readonly treasury: Address;
  readonly owner: Address;
  readonly agentOperator?: Address;
  /** Payout address of every contribution of the receipt's datanet versions. */
  readonly contributions: ReadonlyMap<bigint, ContributionPayout>;
  /** Contributions of the model's trained-on versions with their token counts. */
  readonly fallback: readonly FallbackContribution[];
  /** When given, the receipt's `pricing` must equal it, and the split is recomputed with it. */
  readonly pricing?: Pricing;
  /** When given, the receipt's `split` must equal it. */
  readonly split?: Split;
  /** When given, the receipt's `protocolFeeBps` must equal it. */
  readonly protocolFeeBps?: number;
  /** When given, the receipt's `agentFeeBps` must equal it. */
  readonly agentFeeBps?: number;
};

/** An attribution recomputed from the output text (e.g. by span-v1 or the ∞-gram engine). */
export type RecomputedAttribution = {
  readonly algorithm: string;
  /** Compared with the receipt's params when given. */
  readonly params?: Readonly<Record<string, string | number | boolean>>;
  readonly contributions: readonly ContributionShare[];
};

/** One way a bundle or report differs from the recomputation. Values are decimal strings or ids. */
export type EpochDifference = {
  /** The receipt the difference is in; absent for report-level fields. */
  readonly receiptId?: Hex;
  /** What differs, e.g. `price`, `parts[contributor:7].amount`, `attribution.contributions[7].ppm`, `chargesRoot`. */
  readonly field: string;
  /** The recomputed (or committed) value. */
  readonly expected: string;
  /** The value in the bundle or report. */
  readonly actual: string;
};

/** Parameters of {@link verifyEpoch}. */
export type VerifyEpochParameters = {
  /** The report to check (as submitted on chain). */
  readonly report: EpochReport;
  /** The epoch's receipts in bundle order; streamed once. */
  readonly receipts: Iterable<Receipt> | AsyncIterable<Receipt>;
  /** Cumulative totals of the previous finalized report (empty for epoch 1). */
  readonly previous?: CumulativeTotals;
  /** Every payer that ever deposited (they get a charges leaf of 0). */
  readonly payers?: Iterable<Address>;
  /** Independent knowledge needed to recompute each receipt's split. */
  readonly context: (receipt: Receipt) => SplitContext | Promise<SplitContext>;
  /**
   * The ordered `(id, hash)` list the report's receipts root commits to, as published in the bundle. With it,
   * a dropped, added, altered or reordered receipt is named; without it, only the roots show it.
   */
  readonly committed?: readonly ReceiptLeaf[];
  /** Recomputes a receipt's attribution from its output text; a mismatch names the receipt. */
  readonly recomputeAttribution?: (
    receipt: Receipt,
  ) => RecomputedAttribution | Promise<RecomputedAttribution>;
  /** Stop recording differences after this many (default 1000); the result says `truncated`. */
  readonly maxDifferences?: number;
};

/** Result of {@link verifyEpoch}. */
export type VerifyEpochReturnType =
  | { readonly ok: true; readonly receiptCount: number }
  | {
      readonly ok: false;
      readonly receiptCount: number;
      readonly differences: readonly EpochDifference[];
      /** More differences were found than `maxDifferences`. */
      readonly truncated: boolean;
    };

const str = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "bigint" ? v.toString() : canonicalJson(v);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const partKey = (p: FeePart): string =>
  p.role === "contributor" ? `contributor:${p.contributionId}` : p.role;
const partValue = (p: FeePart): string => `${p.account.toLowerCase()} ${p.amount}`;

function compareParts(
  expected: readonly FeePart[],
  actual: readonly FeePart[],
  out: (field: string, e: string, a: string) => void,
) {
  const exp = new Map(expected.map((p) => [partKey(p), p]));
  const act = new Map<string, FeePart>();
  let differs = false;
  for (const p of actual) {
    const key = partKey(p);
    if (act.has(key)) {
      out(`parts[${key}]`, "once", "repeated");
      differs = true;
    }
    act.set(key, p);
  }
  for (const [key, e] of exp) {
    const a = act.get(key);
    if (a === undefined) {
      out(`parts[${key}]`, partValue(e), "absent");
      differs = true;
      continue;
    }
    if (a.account.toLowerCase() !== e.account.toLowerCase()) {
      out(`parts[${key}].account`, e.account, a.account);
      differs = true;
    }
    if (a.amount !== e.amount) {
      out(`parts[${key}].amount`, e.amount.toString(), str(a.amount));
      differs = true;
    }
  }
  for (const [key, a] of act) {
    if (!exp.has(key)) {
      out(`parts[${key}]`, "absent", partValue(a));
      differs = true;
    }
  }
  if (!differs && expected.map(partKey).join() !== actual.map(partKey).join()) {
    out("parts.order", expected.map(partKey).join(","), actual.map(partKey).join(","));
  }
}

function compareAttribution(
  expected: RecomputedAttribution,
  actual: Receipt["attribution"],
  out: (field: string, e: string, a: string) => void,
) {
  if (expected.algorithm !== actual.algorithm)
    out("attribution.algorithm", expected.algorithm, actual.algorithm);
  if (expected.params !== undefined && canonicalJson(expected.params) !== canonicalJson(actual.params)) {
    out("attribution.params", canonicalJson(expected.params), canonicalJson(actual.params));
  }
  const exp = new Map(expected.contributions.map((s) => [s.contributionId, s.ppm]));
  const act = new Map(actual.contributions.map((s) => [s.contributionId, s.ppm]));
  const ids = [...new Set([...exp.keys(), ...act.keys()])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const id of ids) {
    const e = exp.get(id) ?? 0;
    const a = act.get(id) ?? 0;
    if (e !== a) out(`attribution.contributions[${id}].ppm`, String(e), String(a));
  }
}

/**
 * Verifies an epoch report against its bundle, as a second attestor or `tributary verify` does: recomputes
 * every receipt's price and split from its pricing, fee rates and attribution (and, with
 * `recomputeAttribution`, the attribution itself from the output), re-aggregates the recomputed receipts on
 * top of `previous`, rebuilds both trees and the receipts root, and compares everything with the receipts
 * and the report. Every difference is listed, with the receipt it is in when there is one.
 *
 * Receipts stream through; memory is proportional to the accounts, plus the receipt ids (to detect
 * duplicates, and the order when `committed` is given). A receipt that cannot be parsed or split is reported
 * and left out of the re-aggregation, as are repeated ids.
 *
 * @example
 * const result = await verifyEpoch({ report, receipts, previous, payers, context, committed, recomputeAttribution });
 * if (!result.ok) for (const d of result.differences) console.log(d.receiptId ?? "report", d.field, d.expected, d.actual);
 */
export async function verifyEpoch(parameters: VerifyEpochParameters): Promise<VerifyEpochReturnType> {
  const { report, context, committed, recomputeAttribution } = parameters;
  const maxDifferences = parameters.maxDifferences ?? 1000;
  const differences: EpochDifference[] = [];
  let truncated = false;
  const record = (d: EpochDifference) => {
    if (differences.length < maxDifferences) differences.push(d);
    else truncated = true;
  };
  const aggregator = createEpochAggregator(
    parameters.previous === undefined ? {} : { previous: parameters.previous },
  );
  const seen = new Set<string>();
  const committedById = new Map<string, { index: number; hash: string }>();
  const order: string[] = [];
  if (committed !== undefined) {
    committed.forEach((leaf, index) => {
      committedById.set(leaf.id.toLowerCase(), { index, hash: leaf.hash.toLowerCase() });
    });
    let committedRoot: string;
    try {
      committedRoot = computeReceiptsRoot(committed.map((leaf) => leaf.hash));
    } catch (e) {
      committedRoot = `invalid (${message(e)})`;
    }
    if (committedRoot !== report.receiptsRoot.toLowerCase()) {
      record({ field: "committed.receiptsRoot", expected: report.receiptsRoot, actual: committedRoot });
    }
  }

  for await (const receipt of parameters.receipts) {
    const receiptId = receipt.id;
    const out = (field: string, expected: string, actual: string) =>
      record({ receiptId, field, expected, actual });
    let hash: Hex;
    try {
      hash = receiptHash(receipt);
    } catch (e) {
      out("receipt", "a well-formed receipt", message(e));
      continue;
    }
    const idKey = receiptId.toLowerCase();
    if (seen.has(idKey)) {
      out("id", "unique", "repeated");
      continue;
    }
    seen.add(idKey);
    if (committed !== undefined) {
      const entry = committedById.get(idKey);
      if (entry === undefined) out("receipt", "absent (not committed)", "present");
      else {
        order.push(idKey);
        if (entry.hash !== hash) out("receiptHash", entry.hash, hash);
      }
    }

    let expected: (SplitFeeReturnType & { price: bigint }) | undefined;
    try {
      const ctx = await context(receipt);
      const pricing = ctx.pricing ?? receipt.pricing;
      const split = ctx.split ?? receipt.split;
      const protocolFeeBps = ctx.protocolFeeBps ?? receipt.protocolFeeBps;
      const agentFeeBps = ctx.agentFeeBps ?? receipt.agentFeeBps;
      if (canonicalJson(pricing) !== canonicalJson(receipt.pricing)) {
        out("pricing", canonicalJson(pricing), canonicalJson(receipt.pricing));
      }
      if (canonicalJson(split) !== canonicalJson(receipt.split))
        out("split", canonicalJson(split), canonicalJson(receipt.split));
      if (protocolFeeBps !== receipt.protocolFeeBps)
        out("protocolFeeBps", String(protocolFeeBps), String(receipt.protocolFeeBps));
      if (agentFeeBps !== receipt.agentFeeBps)
        out("agentFeeBps", String(agentFeeBps), String(receipt.agentFeeBps));
      let attribution = receipt.attribution.contributions;
      if (recomputeAttribution !== undefined) {
        const recomputed = await recomputeAttribution(receipt);
        compareAttribution(recomputed, receipt.attribution, out);
        attribution = recomputed.contributions;
      }
      const price = computePrice(pricing, receipt.outputTokens, receipt.inputTokens);
      const result = splitFee({
        price,
        protocolFeeBps,
        agentFeeBps,
        split,
        attribution,
        contributions: ctx.contributions,
        fallback: ctx.fallback,
        treasury: ctx.treasury,
        owner: ctx.owner,
        ...(ctx.agentOperator === undefined ? {} : { agentOperator: ctx.agentOperator }),
      });
      expected = { ...result, price };
    } catch (e) {
      out("split", "a split that can be recomputed", message(e));
    }
    if (expected !== undefined) {
      if (expected.price !== receipt.price) out("price", expected.price.toString(), str(receipt.price));
      if (expected.agentFee !== receipt.agentFee)
        out("agentFee", expected.agentFee.toString(), str(receipt.agentFee));
      if (expected.charged !== receipt.charged)
        out("charged", expected.charged.toString(), str(receipt.charged));
      compareParts(expected.parts, receipt.parts, out);
    }
    try {
      aggregator.add(
        expected === undefined
          ? receipt
          : {
              ...receipt,
              price: expected.price,
              agentFee: expected.agentFee,
              charged: expected.charged,
              parts: expected.parts,
            },
        hash,
      );
    } catch (e) {
      out("receipt", "a receipt that can be aggregated", message(e));
    }
  }

  if (committed !== undefined) {
    for (const leaf of committed) {
      if (!seen.has(leaf.id.toLowerCase()))
        record({ receiptId: leaf.id, field: "receipt", expected: "present", actual: "missing" });
    }
    // Compare the order of the receipts both sides have, so that one missing receipt is one difference.
    const expectedOrder = committed.map((l) => l.id.toLowerCase()).filter((id) => seen.has(id));
    for (let i = 0; i < order.length; i++) {
      if (order[i] !== expectedOrder[i]) {
        record({
          receiptId: order[i] as Hex,
          field: "position",
          expected: expectedOrder[i] ?? "none",
          actual: order[i]!,
        });
      }
    }
  }

  const aggregation = aggregator.finish(parameters.payers === undefined ? {} : { payers: parameters.payers });
  const fields = [
    ["chargesRoot", aggregation.chargesRoot, report.chargesRoot],
    ["rewardsRoot", aggregation.rewardsRoot, report.rewardsRoot],
    ["cumulativeCharged", aggregation.cumulativeCharged, report.cumulativeCharged],
    ["cumulativeRewards", aggregation.cumulativeRewards, report.cumulativeRewards],
    ["receiptsRoot", aggregation.receiptsRoot, report.receiptsRoot],
  ] as const;
  for (const [field, e, a] of fields) {
    const es = typeof e === "string" ? e.toLowerCase() : e.toString();
    const as = typeof a === "string" ? a.toLowerCase() : str(a);
    if (es !== as) record({ field, expected: es, actual: as });
  }
  const receiptCount = aggregation.receiptCount;
  return differences.length === 0 && !truncated
    ? { ok: true, receiptCount }
    : { ok: false, receiptCount, differences, truncated };
}
