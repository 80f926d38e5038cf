import { fail } from "./errors.ts";

/** One claimant of {@link largestRemainder}: a key (ties go to the smaller key) and a weight ≥ 0. */
export type Claimant = {
  readonly key: bigint;
  readonly weight: bigint;
};

/**
 * Splits `total` units between claimants in proportion to their weights by the largest-remainder (Hamilton)
 * method: each gets `floor(total × weight / W)`, then the `r < claimants` units left over go one each to the
 * largest remainders `total × weight mod W`, ties to the smaller key. The amounts sum to exactly `total`
 * (when `W > 0`), none is negative, and the result does not depend on the order of the claimants.
 * Returned in the order of the input. Keys should be distinct (callers check);
 * `W = 0` gives all zeros.
 *
 * @throws {SettlementError} `INVALID_AMOUNT` for a negative total or weight.
 * @example
 * largestRemainder(10n, [{ key: 1n, weight: 1n }, { key: 2n, weight: 1n }, { key: 3n, weight: 1n }]);
 * // [4n, 3n, 3n]: floors 3/3/3, the one unit left goes to the smallest key among equal remainders
 */
export function largestRemainder(total: bigint, claimants: readonly Claimant[]): bigint[] {
  if (total < 0n) fail("INVALID_AMOUNT", `cannot split a negative total ${total}`, "Pass a total >= 0.");
  let sum = 0n;
  for (const c of claimants) {
    if (c.weight < 0n) {
      fail("INVALID_AMOUNT", `negative weight ${c.weight} for ${c.key}`, "Weights are >= 0.");
    }
    sum += c.weight;
  }
  const amounts = new Array<bigint>(claimants.length).fill(0n);
  if (sum === 0n || total === 0n) return amounts;
  const remainders = new Array<bigint>(claimants.length);
  let assigned = 0n;
  for (let i = 0; i < claimants.length; i++) {
    const scaled = total * claimants[i]!.weight;
    amounts[i] = scaled / sum;
    remainders[i] = scaled % sum;
    assigned += amounts[i]!;
  }
  let left = total - assigned;
  if (left === 0n) return amounts;
  const order = claimants.map((_, i) => i);
  order.sort((a, b) => {
    const ra = remainders[a]!;
    const rb = remainders[b]!;
    if (ra !== rb) return ra > rb ? -1 : 1;
    const ka = claimants[a]!.key;
    const kb = claimants[b]!.key;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  // left < claimants.length: the remainders sum to left × W and each is < W.
  for (let j = 0; left > 0n; j++, left--) {
    const k = order[j]!;
    amounts[k] = amounts[k]! + 1n;
  }
  return amounts;
}
