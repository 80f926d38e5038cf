import fc from "fast-check";
import { type Address, getAddress, type Hex } from "viem";
import type { ContributionPayout, ContributionShare, FallbackContribution } from "../types.ts";

/** Deterministic address number `n` (checksummed). */
export const addr = (n: number | bigint): Address =>
  getAddress(`0x${BigInt(n).toString(16).padStart(40, "0")}`);

/** Deterministic 32-byte hex number `n`. */
export const hex32 = (n: number | bigint): Hex => `0x${BigInt(n).toString(16).padStart(64, "0")}`;

export const TREASURY = addr(0xfee);
export const OWNER = addr(0x0a);
export const AGENT = addr(0xa9);
export const NODE = addr(0x0d);

/** Contribution `id` is paid to address `0x1000 + id % payoutModulo` (so some contributions share payouts). */
export function payouts(ids: Iterable<bigint>, payoutModulo = 1_000_000n): Map<bigint, ContributionPayout> {
  return new Map([...ids].map((id) => [id, { payout: addr(0x1000n + (id % payoutModulo)) }]));
}

/** Amounts from 0 and 1 wei up to around 2^128 (ModelRegistry's uint128 prices). */
export const arbAmount = fc.oneof(
  fc.constantFrom(0n, 1n, 2n, 3n, 9_999n, 10_000n, 10_001n, (1n << 128n) - 1n, 1n << 128n),
  fc.bigInt({ min: 0n, max: 1_000_000n }),
  fc.bigInt({ min: 0n, max: (1n << 128n) + (1n << 100n) }),
);

export const arbBps = fc.oneof(
  fc.constantFrom(0, 1, 5_000, 9_999, 10_000),
  fc.integer({ min: 0, max: 10_000 }),
);

/** A valid ppm attribution over contribution ids 1..12: empty, or integers summing to 1,000,000. */
export const arbAttribution: fc.Arbitrary<ContributionShare[]> = fc.oneof(
  fc.constant<ContributionShare[]>([]),
  fc
    .uniqueArray(
      fc.record({ contributionId: fc.bigInt({ min: 1n, max: 12n }), w: fc.integer({ min: 0, max: 1_000 }) }),
      {
        minLength: 1,
        maxLength: 8,
        selector: (r) => r.contributionId,
      },
    )
    .map((rows) => {
      const total = rows.reduce((s, r) => s + r.w, 0) || 1;
      let left = 1_000_000;
      const out = rows.map((r, i) => {
        const ppm = i === rows.length - 1 ? left : Math.floor((r.w * 1_000_000) / total);
        left -= ppm;
        return { contributionId: r.contributionId, ppm };
      });
      return out;
    }),
);

/** Fallback contributions over ids 1..12 (possibly empty, possibly all zero tokens). */
export const arbFallback: fc.Arbitrary<FallbackContribution[]> = fc.uniqueArray(
  fc.record({ contributionId: fc.bigInt({ min: 1n, max: 12n }), tokens: fc.integer({ min: 0, max: 5_000 }) }),
  { maxLength: 6, selector: (r) => r.contributionId },
);

/** Payouts of contributions 1..12, two contributions per address. */
export const allContributions = payouts(
  Array.from({ length: 12 }, (_, i) => BigInt(i + 1)),
  6n,
);
