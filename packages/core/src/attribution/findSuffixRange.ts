import { saAt } from "./packedSuffixArray.ts";
import type { AttributionIndex, SuffixRange } from "./types.ts";

/** Token sequence to search: `pattern[from..to)`. */
export type PatternSlice = {
  readonly pattern: ArrayLike<number>;
  readonly from: number;
  readonly to: number;
};

// Sign of the last comparison (suffix vs pattern): -1 suffix smaller, 0 pattern is a prefix, 1 suffix larger.
// A module variable instead of a returned tuple keeps the hot loop allocation-free.
let lastSign = 0;

/**
 * Compares the suffix at `pos` with `pattern[from..to)`, skipping the first `skip` tokens known to be equal.
 * Returns the length of the common prefix. The text ends with a separator that no vocabulary token equals,
 * so the scan stops there without a bounds check on every step.
 */
function compareSuffix(
  tokens: Uint16Array,
  pos: number,
  pattern: ArrayLike<number>,
  from: number,
  to: number,
  skip: number,
): number {
  let k = skip;
  const m = to - from;
  const n = tokens.length;
  while (k < m) {
    const at = pos + k;
    if (at >= n) {
      lastSign = -1;
      return k;
    }
    const a = tokens[at] as number;
    const b = pattern[from + k] as number;
    if (a !== b) {
      lastSign = a < b ? -1 : 1;
      return k;
    }
    k++;
  }
  lastSign = 0;
  return k;
}

/**
 * Finds the suffix-array range of suffixes that start with `pattern[from..to)`, searching within
 * `[lo, hi)` (the whole array by default). Binary search that skips the prefix shared by both bounds
 * (Manber & Myers' mlr heuristic), so a search costs about O(log N + m) token reads.
 *
 * @example
 * const { start, end } = findSuffixRange(index, { pattern: tokens, from: 0, to: tokens.length });
 * const count = end - start;
 */
export function findSuffixRange(
  index: AttributionIndex,
  slice: PatternSlice,
  lo = 0,
  hi: number = index.suffixArray.length,
): SuffixRange {
  const { tokens, suffixArray } = index;
  const { pattern, from, to } = slice;
  // Lower bound: first suffix >= pattern (a suffix having the pattern as prefix counts as equal).
  let a = lo;
  let b = hi;
  let lcpA = 0;
  let lcpB = 0;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const l = compareSuffix(tokens, saAt(suffixArray, mid), pattern, from, to, Math.min(lcpA, lcpB));
    if (lastSign < 0) {
      a = mid + 1;
      lcpA = l;
    } else {
      b = mid;
      lcpB = l;
    }
  }
  const start = a;
  // Upper bound: first suffix > pattern and not prefixed by it.
  b = hi;
  lcpA = 0;
  lcpB = 0;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const l = compareSuffix(tokens, saAt(suffixArray, mid), pattern, from, to, Math.min(lcpA, lcpB));
    if (lastSign <= 0) {
      a = mid + 1;
      lcpA = l;
    } else {
      b = mid;
      lcpB = l;
    }
  }
  return { start, end: a };
}

/**
 * Length of the longest prefix of `pattern[from..to)` that occurs in the index: one binary search for the
 * insertion point of the whole slice, then the longer of the common prefixes with its two neighbours.
 */
export function longestPrefixMatch(index: AttributionIndex, slice: PatternSlice): number {
  const { tokens, suffixArray } = index;
  const { pattern, from, to } = slice;
  let a = 0;
  let b = suffixArray.length;
  let lcpA = 0;
  let lcpB = 0;
  while (a < b) {
    const mid = (a + b) >>> 1;
    const l = compareSuffix(tokens, saAt(suffixArray, mid), pattern, from, to, Math.min(lcpA, lcpB));
    if (lastSign < 0) {
      a = mid + 1;
      lcpA = l;
    } else {
      b = mid;
      lcpB = l;
    }
  }
  // lcpA belongs to suffix a-1 and lcpB to suffix a (0 when that neighbour does not exist).
  return Math.max(lcpA, lcpB);
}
