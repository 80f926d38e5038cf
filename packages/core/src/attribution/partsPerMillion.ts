import { AttributionError } from "./errors.ts";

/** Parts per million that every non-empty attribution sums to. */
export const PPM_TOTAL = 1_000_000;

/** One contribution's share of an output. */
export type ContributionShare = {
  readonly contributionId: bigint;
  /** Integer parts per million; all shares of a result sum to exactly 1,000,000. */
  readonly ppm: number;
};

/**
 * Splits 1,000,000 parts per million between contributions in proportion to exact integer weights, by the
 * largest-remainder method: everyone gets the floor of their exact share, then the leftover units go one each
 * to the largest remainders, ties to the smaller contribution id. The result sums to exactly 1,000,000, or
 * is empty when the total weight is zero. Shares that round to 0 ppm are left out. Sorted by ppm descending,
 * then contribution id ascending.
 *
 * @example
 * partsPerMillion(new Map([[1n, 1n], [2n, 1n], [3n, 1n]]));
 * // [{ contributionId: 1n, ppm: 333334 }, { contributionId: 2n, ppm: 333333 }, { contributionId: 3n, ppm: 333333 }]
 */
export function partsPerMillion(weights: ReadonlyMap<bigint, bigint>): ContributionShare[] {
  let total = 0n;
  for (const [id, w] of weights) {
    if (w < 0n) {
      throw new AttributionError(
        "INVALID_PARAMETER",
        `negative weight for contribution ${id}`,
        "Weights are >= 0.",
      );
    }
    total += w;
  }
  if (total === 0n) return [];
  const unit = BigInt(PPM_TOTAL);
  const rows: { contributionId: bigint; ppm: bigint; rem: bigint }[] = [];
  let assigned = 0n;
  for (const [contributionId, w] of weights) {
    const scaled = w * unit;
    const ppm = scaled / total;
    assigned += ppm;
    rows.push({ contributionId, ppm, rem: scaled % total });
  }
  rows.sort((a, b) =>
    a.rem !== b.rem ? (a.rem > b.rem ? -1 : 1) : a.contributionId < b.contributionId ? -1 : 1,
  );
  let left = unit - assigned;
  for (let i = 0; left > 0n; i++, left--) {
    const row = rows[i] as { ppm: bigint };
    row.ppm += 1n;
  }
  return rows
    .filter((r) => r.ppm > 0n)
    .map((r) => ({ contributionId: r.contributionId, ppm: Number(r.ppm) }))
    .sort((a, b) => b.ppm - a.ppm || (a.contributionId < b.contributionId ? -1 : 1));
}

/** Accumulates exact fractional weights per contribution (see {@link createWeightAccumulator}). */
export type WeightAccumulator = {
  /** Adds `numerator / denominator` to the contribution's weight. */
  add(contributionId: bigint, numerator: number, denominator: number): void;
  /** Weights scaled to one common denominator: exact integers with the same ratios. */
  integerWeights(): Map<bigint, bigint>;
};

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * Creates an accumulator of exact rational weights. Fractions are grouped by denominator and brought to the
 * least common multiple only once at the end, so no floating point ever touches a weight that is paid.
 *
 * @example
 * const acc = createWeightAccumulator();
 * acc.add(1n, 1, 3); acc.add(2n, 2, 3);
 * partsPerMillion(acc.integerWeights()); // 333333 / 666667
 */
export function createWeightAccumulator(): WeightAccumulator {
  const byDenominator = new Map<number, Map<bigint, number>>();
  return {
    add(contributionId, numerator, denominator) {
      if (numerator === 0) return;
      let row = byDenominator.get(denominator);
      if (row === undefined) {
        row = new Map();
        byDenominator.set(denominator, row);
      }
      row.set(contributionId, (row.get(contributionId) ?? 0) + numerator);
    },
    integerWeights() {
      let lcm = 1n;
      for (const d of byDenominator.keys()) {
        const bd = BigInt(d);
        lcm = (lcm / gcd(lcm, bd)) * bd;
      }
      const out = new Map<bigint, bigint>();
      for (const [d, row] of byDenominator) {
        const scale = lcm / BigInt(d);
        for (const [id, num] of row) out.set(id, (out.get(id) ?? 0n) + BigInt(num) * scale);
      }
      return out;
    },
  };
}
