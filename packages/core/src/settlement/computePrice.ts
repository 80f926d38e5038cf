import { BPS_TOTAL, checkAmount, checkBps, checkTokenCount, MAX_UINT128 } from "./checks.ts";
import { fail } from "./errors.ts";
import type { Pricing } from "./types.ts";

function checkPricing(pricing: Pricing): void {
  if (pricing === null || typeof pricing !== "object") {
    fail("INVALID_PRICING", "pricing is missing", "Pass { perCall, per1kOutputTokens } as bigints.");
  }
  checkAmount("pricing.perCall", pricing.perCall, MAX_UINT128);
  checkAmount("pricing.per1kOutputTokens", pricing.per1kOutputTokens, MAX_UINT128);
}

/**
 * The price of one inference: `perCall + ceil(per1kOutputTokens × outputTokens / 1000)`, exact in bigint.
 *
 * The per-token term is rounded **up**: rounding down would make every output shorter than
 * `1000 / per1kOutputTokens` tokens free of its per-token charge (with a price of 1 unit per 1k tokens,
 * a 999-token answer would cost nothing), so short outputs would be systematically undercharged. Rounding up
 * overcharges by less than one base unit per inference.
 *
 * @throws {SettlementError} `INVALID_PRICING` / `INVALID_AMOUNT` (fields not `uint128`), `INVALID_TOKEN_COUNT`.
 * @example
 * computePrice({ perCall: 100n, per1kOutputTokens: 2_000n }, 3); // 100n + ceil(6000 / 1000) = 106n
 * computePrice({ perCall: 0n, per1kOutputTokens: 1n }, 1); // 1n (not 0n)
 */
export function computePrice(pricing: Pricing, outputTokens: number): bigint {
  checkPricing(pricing);
  checkTokenCount("outputTokens", outputTokens);
  return pricing.perCall + (pricing.per1kOutputTokens * BigInt(outputTokens) + 999n) / 1000n;
}

/**
 * The most an inference of at most `maxTokens` output tokens can cost: the price is non-decreasing in the
 * token count, so this is `computePrice(pricing, maxTokens)`. Add the agent fee with {@link maxCharge}.
 *
 * @example
 * maxPrice({ perCall: 100n, per1kOutputTokens: 2_000n }, 256); // 612n
 */
export function maxPrice(pricing: Pricing, maxTokens: number): bigint {
  return computePrice(pricing, maxTokens);
}

/**
 * The agent fee on top of `price`: `floor(price × agentFeeBps / 10000)` (AgentRegistry: the fee never
 * reduces what owners or contributors earn, the payer pays it in addition).
 *
 * @example
 * agentFeeOf(1_000n, 250); // 25n
 */
export function agentFeeOf(price: bigint, agentFeeBps: number): bigint {
  checkAmount("price", price);
  checkBps("agentFeeBps", agentFeeBps);
  return (price * BigInt(agentFeeBps)) / BigInt(BPS_TOTAL);
}

/**
 * What the payer can be charged at most for an inference of at most `maxTokens` output tokens, agent fee
 * included: the figure the gateway compares with the payer's credit before serving (402 when it is larger).
 *
 * @example
 * maxCharge({ perCall: 100n, per1kOutputTokens: 2_000n }, 256, 500); // 612n + 30n = 642n
 */
export function maxCharge(pricing: Pricing, maxTokens: number, agentFeeBps = 0): bigint {
  const price = maxPrice(pricing, maxTokens);
  return price + agentFeeOf(price, agentFeeBps);
}
