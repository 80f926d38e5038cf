import type { Address, Hex } from "viem";
import type { ContributionShare, FeePart, Pricing, Split } from "./types.ts";

/** Version of the receipt format; part of every receipt and of its hash. */
export const RECEIPT_VERSION = 1;

/** A datanet version a model was trained on (ModelRegistry `TrainedOn`). */
export type DatanetVersionRef = {
  readonly datanetId: bigint;
  readonly version: bigint;
};

/** The attribution a receipt was split by: engine, its parameters and the ppm shares. */
export type ReceiptAttribution = {
  /** Algorithm id, e.g. `span-v1` or `infinigram-v1`. */
  readonly algorithm: string;
  /** The engine's parameters (tokenizer name, minTokens, …); strings, finite numbers or booleans. */
  readonly params: Readonly<Record<string, string | number | boolean>>;
  /** ppm per contribution summing to 1,000,000, or empty when nothing was attributed. */
  readonly contributions: readonly ContributionShare[];
};

/**
 * The canonical record of one served inference. Everything needed to recompute its price and split is in it
 * (pricing, split, fee rates, attribution), except the payout addresses and the fallback contributions,
 * which come from the chain and the datanet versions (see `verifyEpoch`). Its byte form is
 * {@link canonicalReceiptBytes}, its id for signing {@link receiptHash}.
 */
export type Receipt = {
  /** Receipt format version ({@link RECEIPT_VERSION}). */
  readonly version: typeof RECEIPT_VERSION;
  /** Unique id, 32 bytes (the node draws it at random or derives it). */
  readonly id: Hex;
  /** The payer account charged. */
  readonly payer: Address;
  readonly modelId: bigint;
  /** The calling agent, when the inference went through one. */
  readonly agentId?: bigint;
  /** The model's trained-on datanet versions the output was attributed against. */
  readonly datanetVersions: readonly DatanetVersionRef[];
  /** 32-byte hash of the request input (the node's choice of hash, e.g. sha-256 of the prompt bytes). */
  readonly inputHash: Hex;
  /** 32-byte hash of the output text. */
  readonly outputHash: Hex;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Model pricing in force when served. */
  readonly pricing: Pricing;
  /** Model split in force when served. */
  readonly split: Split;
  /** Settlement protocol fee in force when served. */
  readonly protocolFeeBps: number;
  /** Agent fee rate (0 without an agent). */
  readonly agentFeeBps: number;
  /** `computePrice(pricing, outputTokens, inputTokens)`. */
  readonly price: bigint;
  /** `floor(price × agentFeeBps / 10000)`. */
  readonly agentFee: bigint;
  /** `price + agentFee`, what the payer is charged; equals the sum of `parts`. */
  readonly charged: bigint;
  /** `splitFee(...)` parts, in its canonical order. */
  readonly parts: readonly FeePart[];
  readonly attribution: ReceiptAttribution;
  /** Unix time in seconds when the inference was served. */
  readonly timestamp: number;
  /** Address of the node (attestor key) that served and signs the receipt. */
  readonly node: Address;
};
