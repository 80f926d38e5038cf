import type { Address } from "viem";
import type { ContributionShare } from "../attribution/partsPerMillion.ts";

export type { ContributionShare };

/**
 * A model's price as ModelRegistry stores it (`uint128` each, token base units):
 * `perCall + ceil(per1kOutputTokens × outputTokens / 1000) + ceil(per1kInputTokens × inputTokens / 1000)`.
 */
export type Pricing = {
  readonly perCall: bigint;
  readonly per1kOutputTokens: bigint;
  /** Price of 1000 prompt tokens (counted with the receipt's tokenizer). */
  readonly per1kInputTokens: bigint;
};

/** A model's split of the price after the protocol fee; `ownerBps + dataBps === 10000` (ModelRegistry). */
export type Split = {
  readonly ownerBps: number;
  readonly dataBps: number;
};

/** Who a fee part goes to. */
export type FeeRole = "protocol" | "owner" | "agent" | "contributor";

/** One credited amount of a fee. Contributor parts carry the contribution they pay for. */
export type FeePart = {
  readonly role: FeeRole;
  readonly account: Address;
  readonly amount: bigint;
  /** Set on contributor parts only. */
  readonly contributionId?: bigint;
};

/** Where a contribution's rewards are paid (DatanetRegistry `setPayoutAddress`, else the contributor). */
export type ContributionPayout = {
  readonly payout: Address;
};

/** A contribution of a model's trained-on versions, weighted by its token count for unattributed outputs. */
export type FallbackContribution = {
  readonly contributionId: bigint;
  readonly tokens: number;
};

/** Cumulative totals per account (all epochs so far), as Settlement's trees hold them. */
export type CumulativeTotals = {
  readonly charges: ReadonlyMap<Address, bigint>;
  readonly rewards: ReadonlyMap<Address, bigint>;
};
