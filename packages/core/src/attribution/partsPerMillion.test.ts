import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createWeightAccumulator, PPM_TOTAL, partsPerMillion } from "./partsPerMillion.ts";

describe("partsPerMillion", () => {
  it("gives the leftover unit to the smallest contribution id on equal remainders", () => {
    expect(
      partsPerMillion(
        new Map([
          [3n, 1n],
          [1n, 1n],
          [2n, 1n],
        ]),
      ),
    ).toEqual([
      { contributionId: 1n, ppm: 333334 },
      { contributionId: 2n, ppm: 333333 },
      { contributionId: 3n, ppm: 333333 },
    ]);
  });

  it("is empty when nothing is attributed", () => {
    expect(partsPerMillion(new Map())).toEqual([]);
    expect(partsPerMillion(new Map([[1n, 0n]]))).toEqual([]);
  });

  it("always sums to exactly 1,000,000 and never moves a share by a full unit", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), { minLength: 1, maxLength: 50 }),
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 30n }), { minLength: 50, maxLength: 50 }),
        (ids, ws) => {
          const weights = new Map(ids.map((id, i) => [id, ws[i] as bigint]));
          const total = [...weights.values()].reduce((a, b) => a + b, 0n);
          const shares = partsPerMillion(weights);
          const sum = shares.reduce((a, s) => a + s.ppm, 0);
          expect(sum).toBe(total === 0n ? 0 : PPM_TOTAL);
          for (const s of shares) {
            const exactTimesTotal = (weights.get(s.contributionId) as bigint) * 1_000_000n;
            // floor(exact) <= ppm <= floor(exact) + 1
            expect(BigInt(s.ppm) * total >= exactTimesTotal - total).toBe(true);
            expect(BigInt(s.ppm) * total <= exactTimesTotal + total).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("accumulates exact fractions (1/3 + 1/6 vs 1/2)", () => {
    const acc = createWeightAccumulator();
    acc.add(1n, 1, 3);
    acc.add(1n, 1, 6);
    acc.add(2n, 1, 2);
    expect(partsPerMillion(acc.integerWeights())).toEqual([
      { contributionId: 1n, ppm: 500000 },
      { contributionId: 2n, ppm: 500000 },
    ]);
  });
});
