import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { agentFeeOf, computePrice, maxCharge, maxPrice } from "./computePrice.ts";
import { SettlementError } from "./errors.ts";
import { arbAmount } from "./testing/fixtures.ts";

describe("computePrice (fixed inputs)", () => {
  it.each([
    // perCall, per1k, tokens, expected            hand computation
    [100n, 2_000n, 3, 106n], //                    100 + ceil(6000/1000) = 100 + 6
    [0n, 1n, 1, 1n], //                            ceil(1/1000) = 1: a 1-token answer is never free
    [0n, 1n, 999, 1n], //                          ceil(999/1000) = 1
    [0n, 1n, 1000, 1n], //                         exactly 1
    [0n, 1n, 1001, 2n], //                         ceil(1001/1000) = 2
    [5n, 0n, 10_000, 5n], //                       per-call only
    [7n, 1_500n, 0, 7n], //                        no output: perCall only
    [0n, 999n, 1, 1n], //                          ceil(999/1000) = 1
    [1n, 3_333n, 3, 11n], //                       1 + ceil(9999/1000) = 1 + 10
  ])("perCall %s, per1k %s, %s tokens → %s", (perCall, per1kOutputTokens, tokens, expected) => {
    expect(computePrice({ perCall, per1kOutputTokens }, tokens)).toBe(expected);
  });

  it("stays exact at the uint128 bound", () => {
    const max = (1n << 128n) - 1n;
    // max + ceil(max × 2^31 / 1000), computed by hand as (max × 2^31 + 999) / 1000
    expect(computePrice({ perCall: max, per1kOutputTokens: max }, 2 ** 31)).toBe(
      max + (max * 2n ** 31n + 999n) / 1000n,
    );
  });

  it("maxPrice, agentFeeOf and maxCharge", () => {
    const pricing = { perCall: 100n, per1kOutputTokens: 2_000n };
    expect(maxPrice(pricing, 256)).toBe(612n); // 100 + 512
    expect(agentFeeOf(1_000n, 250)).toBe(25n);
    expect(agentFeeOf(39n, 250)).toBe(0n); // floor(9750 / 10000)
    expect(maxCharge(pricing, 256, 500)).toBe(642n); // 612 + floor(612 × 0.05) = 612 + 30
    expect(maxCharge(pricing, 256)).toBe(612n);
  });

  it("refuses negative or oversized pricing, bad token counts and bps with typed errors", () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SettlementError);
        return (e as SettlementError).code;
      }
      return "no error";
    };
    expect(code(() => computePrice({ perCall: -1n, per1kOutputTokens: 0n }, 1))).toBe("INVALID_AMOUNT");
    expect(code(() => computePrice({ perCall: 1n << 128n, per1kOutputTokens: 0n }, 1))).toBe(
      "INVALID_AMOUNT",
    );
    expect(code(() => computePrice({ perCall: 0n, per1kOutputTokens: 0n }, -1))).toBe("INVALID_TOKEN_COUNT");
    expect(code(() => computePrice({ perCall: 0n, per1kOutputTokens: 0n }, 1.5))).toBe("INVALID_TOKEN_COUNT");
    expect(code(() => agentFeeOf(1n, 10_001))).toBe("INVALID_BPS");
  });
});

describe("computePrice (properties)", () => {
  const arbPricing = fc.record({
    perCall: arbAmount.filter((a) => a < 1n << 128n),
    per1kOutputTokens: arbAmount.filter((a) => a < 1n << 128n),
  });
  const arbTokens = fc.integer({ min: 0, max: 1_000_000 });

  it("is the ceiling: 0 ≤ 1000 × (price − perCall) − per1k × tokens < 1000", () => {
    fc.assert(
      fc.property(arbPricing, arbTokens, (pricing, tokens) => {
        const excess =
          1000n * (computePrice(pricing, tokens) - pricing.perCall) -
          pricing.per1kOutputTokens * BigInt(tokens);
        expect(excess >= 0n && excess < 1000n).toBe(true);
      }),
    );
  });

  it("never charges 0 for tokens of a model with a per-token price", () => {
    fc.assert(
      fc.property(arbPricing, fc.integer({ min: 1, max: 1_000_000 }), (pricing, tokens) => {
        fc.pre(pricing.per1kOutputTokens > 0n);
        expect(computePrice(pricing, tokens) > pricing.perCall).toBe(true);
      }),
    );
  });

  it("is non-decreasing in tokens, so maxCharge bounds every charge up to maxTokens", () => {
    fc.assert(
      fc.property(
        arbPricing,
        arbTokens,
        arbTokens,
        fc.integer({ min: 0, max: 10_000 }),
        (pricing, a, b, bps) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const price = computePrice(pricing, lo);
          expect(price <= maxPrice(pricing, hi)).toBe(true);
          expect(price + agentFeeOf(price, bps) <= maxCharge(pricing, hi, bps)).toBe(true);
        },
      ),
    );
  });
});
