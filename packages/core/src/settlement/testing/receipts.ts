import type { Address } from "viem";
import { computePrice } from "../computePrice.ts";
import type { Receipt } from "../receipt.ts";
import { splitFee } from "../splitFee.ts";
import type {
  ContributionPayout,
  ContributionShare,
  FallbackContribution,
  Pricing,
  Split,
} from "../types.ts";
import type { SplitContext } from "../verifyEpoch.ts";
import { AGENT, hex32, NODE, OWNER, payouts, TREASURY } from "./fixtures.ts";

/** A model: pricing, split, its fallback contributions and everyone's payout. */
export type TestModel = {
  readonly pricing: Pricing;
  readonly split: Split;
  readonly protocolFeeBps: number;
  readonly fallback: readonly FallbackContribution[];
  readonly contributions: Map<bigint, ContributionPayout>;
};

export const defaultModel: TestModel = {
  pricing: { perCall: 1_000n, per1kOutputTokens: 20_000n, per1kInputTokens: 0n },
  split: { ownerBps: 3_000, dataBps: 7_000 },
  protocolFeeBps: 500,
  fallback: [
    { contributionId: 1n, tokens: 300 },
    { contributionId: 2n, tokens: 100 },
  ],
  contributions: payouts(
    Array.from({ length: 12 }, (_, i) => BigInt(i + 1)),
    4n,
  ),
};

/** Context of every receipt made with {@link makeReceipt} on `model`. */
export const contextOf =
  (model: TestModel) =>
  (receipt: Receipt): SplitContext => ({
    treasury: TREASURY,
    owner: OWNER,
    ...(receipt.agentId === undefined ? {} : { agentOperator: AGENT }),
    contributions: model.contributions,
    fallback: model.fallback,
  });

/** An honest receipt: priced and split by the real functions. */
export function makeReceipt(args: {
  n: number;
  payer: Address;
  outputTokens: number;
  /** Prompt tokens (12 when absent). */
  inputTokens?: number;
  attribution: readonly ContributionShare[];
  agentFeeBps?: number;
  model?: TestModel;
}): Receipt {
  const model = args.model ?? defaultModel;
  const agentFeeBps = args.agentFeeBps ?? 0;
  const inputTokens = args.inputTokens ?? 12;
  const price = computePrice(model.pricing, args.outputTokens, inputTokens);
  const { charged, agentFee, parts } = splitFee({
    price,
    protocolFeeBps: model.protocolFeeBps,
    agentFeeBps,
    split: model.split,
    attribution: args.attribution,
    contributions: model.contributions,
    fallback: model.fallback,
    treasury: TREASURY,
    owner: OWNER,
    ...(agentFeeBps > 0 ? { agentOperator: AGENT } : {}),
  });
  return {
    version: 1,
    id: hex32(0xabc000n + BigInt(args.n)),
    payer: args.payer,
    modelId: 1n,
    ...(agentFeeBps > 0 ? { agentId: 9n } : {}),
    datanetVersions: [{ datanetId: 1n, version: 1n }],
    inputHash: hex32(args.n * 2 + 1),
    outputHash: hex32(args.n * 2 + 2),
    inputTokens,
    outputTokens: args.outputTokens,
    pricing: model.pricing,
    split: model.split,
    protocolFeeBps: model.protocolFeeBps,
    agentFeeBps,
    price,
    agentFee,
    charged,
    parts,
    attribution: {
      algorithm: "span-v1",
      params: { maxCount: 64, minTokens: 8 },
      contributions: args.attribution,
    },
    timestamp: 1_700_000_000 + args.n,
    node: NODE,
  };
}
