import { BPS_TOTAL, checkAmount, checkBps, checkTokenCount, MAX_UINT128 } from "./checks.ts";
import { fail } from "./errors.ts";
import type { Pricing } from "./types.ts";

function checkPricing(pricing: Pricing): void {
  if (pricing === null || typeof pricing !== "object") {
    fail(
      "INVALID_PRICING",
      "pricing is missing",
      "Pass { perCall, per1kOutputTokens, per1kInputTokens } as bigints.",
    );
  }
  checkAmount("pricing.perCall", pricing.perCall, MAX_UINT128);
  checkAmount("pricing.per1kOutputTokens", pricing.per1kOutputTokens, MAX_UINT128);
  checkAmount("pricing.per1kInputTokens", pricing.per1kInputTokens, MAX_UINT128);
}

/** `ceil(per1k × tokens / 1000)`. */
const perTokens = (per1k: bigint, tokens: number): bigint => (per1k * BigInt(tokens) + 999n) / 1000n;

/**
 * The price of one inference, exact in bigint:
 * `perCall + ceil(per1kOutputTokens × outputTokens / 1000) + ceil(per1kInputTokens × inputTokens / 1000)`.
 *
 * Each per-token term is rounded **up** on its own: rounding down would make every output (or prompt) shorter
 * than `1000 / per1k` tokens free of its per-token charge (with a price of 1 unit per 1k tokens, a 999-token
 * answer would cost nothing), so short requests would be systematically undercharged. Rounding up overcharges
 * by less than one base unit per term. Input tokens are the prompt's count under the receipt's tokenizer, so a
 * verifier recounts them from the bundle's input.
 *
 * @throws {SettlementError} `INVALID_PRICING` / `INVALID_AMOUNT` (fields not `uint128`), `INVALID_TOKEN_COUNT`.
 * @example
 * computePrice({ perCall: 100n, per1kOutputTokens: 2_000n, per1kInputTokens: 0n }, 3, 50); // 100n + 6n = 106n
 * computePrice({ perCall: 0n, per1kOutputTokens: 1n, per1kInputTokens: 1n }, 1, 1); // 2n (not 0n)
 */
export function computePrice(pricing: Pricing, outputTokens: number, inputTokens: number): bigint {
  checkPricing(pricing);
  checkTokenCount("outputTokens", outputTokens);
  checkTokenCount("inputTokens", inputTokens);
  return (
    pricing.perCall +
    perTokens(pricing.per1kOutputTokens, outputTokens) +
    perTokens(pricing.per1kInputTokens, inputTokens)
  );
}

/**
 * The most an inference of at most `maxTokens` output tokens for a prompt of `inputTokens` tokens can cost: the
 * price is non-decreasing in both counts, so this is `computePrice(pricing, maxTokens, inputTokens)`. Add the
 * agent fee with {@link maxCharge}.
 *
 * @example
 * maxPrice({ perCall: 100n, per1kOutputTokens: 2_000n, per1kInputTokens: 1_000n }, 256, 10); // 100n + 512n + 10n
 */
export function maxPrice(pricing: Pricing, maxTokens: number, inputTokens: number): bigint {
  return computePrice(pricing, maxTokens, inputTokens);
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
 * What the payer can be charged at most for an inference of at most `maxTokens` output tokens on a prompt of
 * `inputTokens` tokens, agent fee included: the figure the gateway compares with the payer's credit before
 * serving (402 when it is larger).
 *
 * @example
 * maxCharge({ perCall: 100n, per1kOutputTokens: 2_000n, per1kInputTokens: 0n }, 256, 40, 500); // 612n + 30n = 642n
 */
export function maxCharge(pricing: Pricing, maxTokens: number, inputTokens: number, agentFeeBps = 0): bigint {
  const price = maxPrice(pricing, maxTokens, inputTokens);
  return price + agentFeeOf(price, agentFeeBps);
}
