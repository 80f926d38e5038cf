import { SEPARATOR_TOKEN } from "./constants.ts";
import { findSuffixRange, longestPrefixMatch } from "./findSuffixRange.ts";
import { saAt } from "./packedSuffixArray.ts";
import type { AttributionIndex, Occurrence } from "./types.ts";

/**
 * Index of the document that holds token position `position` (binary search over document starts).
 *
 * @example
 * const doc = documentOf(index, saAt(index.suffixArray, 0));
 */
export function documentOf(index: AttributionIndex, position: number): number {
  const starts = index.docStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((starts[mid] as number) <= position) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function isQueryable(index: AttributionIndex, tokens: ArrayLike<number>): boolean {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as number;
    if (!(t >= 0 && t < index.vocabSize)) return false;
  }
  return true;
}

/**
 * Number of places where the token sequence occurs in the index (0 for an empty sequence or one holding a
 * token outside the vocabulary, which can never match).
 *
 * @example
 * countOccurrences(index, tokenizer.encode(" white whale"));
 */
export function countOccurrences(index: AttributionIndex, tokens: ArrayLike<number>): number {
  if (tokens.length === 0 || !isQueryable(index, tokens)) return 0;
  const r = findSuffixRange(index, { pattern: tokens, from: 0, to: tokens.length });
  return r.end - r.start;
}

/** Options of {@link locateOccurrences}. */
export type LocateOccurrencesOptions = {
  /** Return at most this many occurrences (default: all). */
  readonly limit?: number;
};

/**
 * Every place where the token sequence occurs, sorted by position, with its document and contribution.
 *
 * @example
 * locateOccurrences(index, tokenizer.encode(" Call me Ishmael"), { limit: 10 });
 */
export function locateOccurrences(
  index: AttributionIndex,
  tokens: ArrayLike<number>,
  options: LocateOccurrencesOptions = {},
): Occurrence[] {
  if (tokens.length === 0 || !isQueryable(index, tokens)) return [];
  const { start, end } = findSuffixRange(index, { pattern: tokens, from: 0, to: tokens.length });
  const positions: number[] = [];
  for (let i = start; i < end; i++) positions.push(saAt(index.suffixArray, i));
  positions.sort((a, b) => a - b);
  const limit = Math.min(options.limit ?? positions.length, positions.length);
  const out: Occurrence[] = [];
  for (let i = 0; i < limit; i++) {
    const position = positions[i] as number;
    const document = documentOf(index, position);
    out.push({
      position,
      document,
      documentOffset: position - (index.docStarts[document] as number),
      contributionId: index.contributionIds[document] as bigint,
    });
  }
  return out;
}

/**
 * For each position `i` of `tokens`, the length of the longest sequence starting at `i` that occurs in the
 * index (matching statistics). Tokens outside the vocabulary match nothing and end every match.
 *
 * @example
 * const lengths = longestMatches(index, tokenizer.encode(output)); // lengths[i] tokens match from i
 */
export function longestMatches(index: AttributionIndex, tokens: ArrayLike<number>): Uint32Array {
  const n = tokens.length;
  const out = new Uint32Array(n);
  // A match never extends past an unknown token (or the separator id), so cut each search there.
  let stop = n;
  for (let i = n - 1; i >= 0; i--) {
    const t = tokens[i] as number;
    if (!(t >= 0 && t < index.vocabSize) || t === SEPARATOR_TOKEN) {
      stop = i;
      continue;
    }
    out[i] = longestPrefixMatch(index, { pattern: tokens, from: i, to: stop });
  }
  return out;
}
