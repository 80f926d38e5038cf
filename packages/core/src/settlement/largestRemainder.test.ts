import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { largestRemainder } from "./largestRemainder.ts";
import { arbAmount } from "./testing/fixtures.ts";

const c = (key: bigint, weight: bigint) => ({ key, weight });

describe("largestRemainder (fixed inputs)", () => {
  it.each([
    // 10 over 1:1:1 → floors 3,3,3, remainders 1,1,1 (of 3); 1 left → smallest key 1
    [10n, [c(1n, 1n), c(2n, 1n), c(3n, 1n)], [4n, 3n, 3n]],
    // same, input order reversed: the tie still goes to key 1, whatever the order
    [10n, [c(3n, 1n), c(2n, 1n), c(1n, 1n)], [3n, 3n, 4n]],
    // 1 wei over 600000:400000 ppm → floors 0,0, remainders 600000, 400000 → the larger takes it
    [1n, [c(1n, 600_000n), c(2n, 400_000n)], [1n, 0n]],
    // 665 over 60%/40% → 399, 266 exactly
    [665n, [c(1n, 600_000n), c(2n, 400_000n)], [399n, 266n]],
    // 7 over 1:2:4 (W = 7) → exact 1, 2, 4
    [7n, [c(5n, 1n), c(6n, 2n), c(7n, 4n)], [1n, 2n, 4n]],
    // 5 over 1:1:1:1 → floors 1 each, 1 left → key 2 (smallest), keys given unsorted
    [5n, [c(9n, 1n), c(2n, 1n), c(4n, 1n), c(8n, 1n)], [1n, 2n, 1n, 1n]],
    // zero weights get nothing; W = 0 gives zeros
    [3n, [c(1n, 0n), c(2n, 5n)], [0n, 3n]],
    [3n, [c(1n, 0n)], [0n]],
    // 2 over 3:3:1 (W = 7): exact 6/7, 6/7, 2/7 → floors 0,0,0, remainders 6,6,2 → keys 1 and 2
    [2n, [c(1n, 3n), c(2n, 3n), c(3n, 1n)], [1n, 1n, 0n]],
  ])("%s over case %#", (total, claimants, expected) => {
    expect(largestRemainder(total, claimants)).toEqual(expected);
  });
});

describe("largestRemainder (properties)", () => {
  const arbClaimants = fc.uniqueArray(
    fc.record({
      key: fc.bigInt({ min: 0n, max: 50n }),
      weight: fc.oneof(fc.bigInt({ min: 0n, max: 10n }), arbAmount),
    }),
    { minLength: 1, maxLength: 12, selector: (r) => r.key },
  );

  it("sums to the total, each within one unit above its floor quota, independent of order", () => {
    fc.assert(
      fc.property(arbAmount, arbClaimants, fc.integer(), (total, claimants, seed) => {
        const W = claimants.reduce((s, x) => s + x.weight, 0n);
        const amounts = largestRemainder(total, claimants);
        if (W === 0n) {
          expect(amounts.every((a) => a === 0n)).toBe(true);
          return;
        }
        expect(amounts.reduce((s, a) => s + a, 0n)).toBe(total);
        claimants.forEach((x, i) => {
          const floor = (total * x.weight) / W;
          expect(amounts[i]! - floor === 0n || amounts[i]! - floor === 1n).toBe(true);
        });
        const shuffled = claimants
          .map((x, i) => ({ x, i, r: (Number(x.key) * 2654435761 + seed) >>> 0 }))
          .sort((a, b) => a.r - b.r);
        const again = largestRemainder(
          total,
          shuffled.map((s) => s.x),
        );
        shuffled.forEach((s, j) => {
          expect(again[j]).toBe(amounts[s.i]);
        });
      }),
      { numRuns: 300 },
    );
  });
});
