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
    expect(computePrice({ perCall, per1kOutputTokens, per1kInputTokens: 0n }, tokens, 5_000)).toBe(expected);
  });

  it.each([
    // per1kOutput, per1kInput, output, input, expected   hand computation
    [2_000n, 500n, 3, 0, 106n], //                        100 + 6 + 0
    [2_000n, 500n, 3, 1, 107n], //                        100 + 6 + ceil(500/1000) = 1
    [2_000n, 500n, 3, 2_000, 1_106n], //                  100 + 6 + 1000
    [2_000n, 500n, 3, 2_001, 1_107n], //                  100 + 6 + ceil(1000500/1000) = 1001
    [0n, 1_000n, 0, 8_192, 8_292n], //                    100 + 0 + 8192
    [1n, 1n, 1, 1, 102n], //                              each term rounded up on its own: 100 + 1 + 1
  ])("per1kOutput %s, per1kInput %s, %s output and %s input tokens → %s", (out, inp, o, i, expected) => {
    expect(computePrice({ perCall: 100n, per1kOutputTokens: out, per1kInputTokens: inp }, o, i)).toBe(
      expected,
    );
  });

  it("stays exact at the uint128 bound", () => {
    const max = (1n << 128n) - 1n;
    // max + ceil(max × 2^31 / 1000), computed by hand as (max × 2^31 + 999) / 1000
    expect(
      computePrice({ perCall: max, per1kOutputTokens: max, per1kInputTokens: max }, 2 ** 31, 2 ** 31),
    ).toBe(max + 2n * ((max * 2n ** 31n + 999n) / 1000n));
  });

  it("maxPrice, agentFeeOf and maxCharge", () => {
    const pricing = { perCall: 100n, per1kOutputTokens: 2_000n, per1kInputTokens: 0n };
    expect(maxPrice(pricing, 256, 40)).toBe(612n); // 100 + 512
    expect(agentFeeOf(1_000n, 250)).toBe(25n);
    expect(agentFeeOf(39n, 250)).toBe(0n); // floor(9750 / 10000)
    expect(maxCharge(pricing, 256, 40, 500)).toBe(642n); // 612 + floor(612 × 0.05) = 612 + 30
    expect(maxCharge(pricing, 256, 40)).toBe(612n);
    const withInput = { ...pricing, per1kInputTokens: 3_000n };
    expect(maxPrice(withInput, 256, 40)).toBe(732n); // 612 + 120
    expect(maxCharge(withInput, 256, 40, 500)).toBe(768n); // 732 + floor(732 × 0.05) = 732 + 36
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
    const zero = { perCall: 0n, per1kOutputTokens: 0n, per1kInputTokens: 0n };
    expect(code(() => computePrice({ ...zero, perCall: -1n }, 1, 1))).toBe("INVALID_AMOUNT");
    expect(code(() => computePrice({ ...zero, perCall: 1n << 128n }, 1, 1))).toBe("INVALID_AMOUNT");
    expect(code(() => computePrice({ ...zero, per1kInputTokens: -1n }, 1, 1))).toBe("INVALID_AMOUNT");
    expect(code(() => computePrice({ ...zero, per1kInputTokens: 1n << 128n }, 1, 1))).toBe("INVALID_AMOUNT");
    expect(code(() => computePrice({ perCall: 0n, per1kOutputTokens: 0n } as never, 1, 1))).toBe(
      "INVALID_AMOUNT",
    );
    expect(code(() => computePrice(zero, -1, 1))).toBe("INVALID_TOKEN_COUNT");
    expect(code(() => computePrice(zero, 1.5, 1))).toBe("INVALID_TOKEN_COUNT");
    expect(code(() => computePrice(zero, 1, -1))).toBe("INVALID_TOKEN_COUNT");
    expect(code(() => computePrice(zero, 1, 0.5))).toBe("INVALID_TOKEN_COUNT");
    expect(code(() => agentFeeOf(1n, 10_001))).toBe("INVALID_BPS");
  });
});

describe("computePrice (properties)", () => {
  const arbPricing = fc.record({
    perCall: arbAmount.filter((a) => a < 1n << 128n),
    per1kOutputTokens: arbAmount.filter((a) => a < 1n << 128n),
    per1kInputTokens: arbAmount.filter((a) => a < 1n << 128n),
  });
  const arbTokens = fc.integer({ min: 0, max: 1_000_000 });

  it("is the ceiling of each term: 0 ≤ 1000 × (price − perCall) − per1kOut × out − per1kIn × in < 2000", () => {
    fc.assert(
      fc.property(arbPricing, arbTokens, arbTokens, (pricing, tokens, input) => {
        const excess =
          1000n * (computePrice(pricing, tokens, input) - pricing.perCall) -
          pricing.per1kOutputTokens * BigInt(tokens) -
          pricing.per1kInputTokens * BigInt(input);
        expect(excess >= 0n && excess < 2000n).toBe(true);
      }),
    );
  });

  it("a longer prompt costs exactly its extra input tokens' price (same output)", () => {
    fc.assert(
      fc.property(arbPricing, arbTokens, arbTokens, (pricing, tokens, input) => {
        const short = computePrice(pricing, tokens, 0);
        const long = computePrice(pricing, tokens, input);
        expect(long - short).toBe((pricing.per1kInputTokens * BigInt(input) + 999n) / 1000n);
      }),
    );
  });

  it("never charges 0 for tokens of a model with a per-token price", () => {
    fc.assert(
      fc.property(arbPricing, fc.integer({ min: 1, max: 1_000_000 }), (pricing, tokens) => {
        fc.pre(pricing.per1kOutputTokens > 0n);
        expect(computePrice(pricing, tokens, 0) > pricing.perCall).toBe(true);
      }),
    );
    fc.assert(
      fc.property(arbPricing, fc.integer({ min: 1, max: 1_000_000 }), (pricing, input) => {
        fc.pre(pricing.per1kInputTokens > 0n);
        expect(computePrice(pricing, 0, input) > pricing.perCall).toBe(true);
      }),
    );
  });

  it("is non-decreasing in tokens, so maxCharge bounds every charge up to maxTokens", () => {
    fc.assert(
      fc.property(
        arbPricing,
        arbTokens,
        arbTokens,
        arbTokens,
        fc.integer({ min: 0, max: 10_000 }),
        (pricing, a, b, input, bps) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const price = computePrice(pricing, lo, input);
          expect(price <= maxPrice(pricing, hi, input)).toBe(true);
          expect(price + agentFeeOf(price, bps) <= maxCharge(pricing, hi, input, bps)).toBe(true);
        },
      ),
    );
  });
});
