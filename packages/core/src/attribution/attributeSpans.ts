import type { Tokenizer } from "../tokenizer/createTokenizer.ts";
import { AttributionError } from "./errors.ts";
import { findSuffixRange } from "./findSuffixRange.ts";
import { saAt } from "./packedSuffixArray.ts";
import { type ContributionShare, createWeightAccumulator, partsPerMillion } from "./partsPerMillion.ts";
import { documentOf, longestMatches } from "./queries.ts";
import type { AttributionIndex } from "./types.ts";

/** Version tag of the span attribution algorithm; part of every result. */
export const SPAN_ALGORITHM = "span-v1";

/** Tunable parameters of span-v1 (all part of the result). */
export type SpanParameters = {
  /**
   * Shortest span that counts as evidence, in content tokens (tokens holding a letter or digit): runs of
   * punctuation and line breaks such as `.\n\n"Aye, aye` are too common to prove anything.
   */
  readonly minTokens: number;
  /** Spans found in more places than this are generic phrases and are dropped. */
  readonly maxCount: number;
};

/** Defaults chosen on the planted-provenance benchmark (bench/attribution.ts). */
export const DEFAULT_SPAN_PARAMETERS: SpanParameters = { minTokens: 8, maxCount: 64 };

/** Upper bound of `maxCount`, so one request cannot ask to locate millions of occurrences. */
export const MAX_SPAN_MAX_COUNT = 10_000;

/** Where a span of the output was found in the index. */
export type SpanSource = {
  readonly contributionId: bigint;
  /** Index of the document in the index. */
  readonly document: number;
  /** Token offset of the span inside that document. */
  readonly documentOffset: number;
};

/** A maximal span of the output that occurs verbatim in the index. */
export type AttributedSpan = {
  /** Output token range `[tokenStart, tokenEnd)`. */
  readonly tokenStart: number;
  readonly tokenEnd: number;
  /** Output UTF-16 character range `[charStart, charEnd)`. */
  readonly charStart: number;
  readonly charEnd: number;
  readonly text: string;
  /** Number of places the span occurs in the index. */
  readonly occurrences: number;
  /** Every occurrence, sorted by position in the index. */
  readonly sources: readonly SpanSource[];
};

/** Result of {@link attributeSpans}. */
export type SpanAttribution = {
  readonly algorithm: typeof SPAN_ALGORITHM;
  readonly tokenizer: string;
  readonly params: SpanParameters;
  readonly outputTokens: number;
  /** Output tokens covered by at least one kept span. */
  readonly attributedTokens: number;
  /** Shares summing to exactly 1,000,000 ppm, or empty when nothing is attributed. */
  readonly contributions: readonly ContributionShare[];
  /** Kept spans ranked by rarity: fewest occurrences first, then longest, then earliest. */
  readonly spans: readonly AttributedSpan[];
};

/** Parameters of {@link attributeSpans}. */
export type AttributeSpansParameters = {
  readonly index: AttributionIndex;
  readonly tokenizer: Tokenizer;
  readonly text: string;
} & Partial<SpanParameters>;

function checkParameters(p: SpanParameters): void {
  if (!Number.isInteger(p.minTokens) || p.minTokens < 1 || p.minTokens > 1024) {
    throw new AttributionError("INVALID_PARAMETER", `minTokens ${p.minTokens} is not in [1, 1024]`, "Use 8.");
  }
  if (!Number.isInteger(p.maxCount) || p.maxCount < 1 || p.maxCount > MAX_SPAN_MAX_COUNT) {
    throw new AttributionError(
      "INVALID_PARAMETER",
      `maxCount ${p.maxCount} is not in [1, ${MAX_SPAN_MAX_COUNT}]`,
      "Use 64.",
    );
  }
}

/**
 * span-v1 attribution of an output text (from any model) to the contributions of one index: find, for each
 * output position, the longest span that occurs in the index; keep the maximal spans of at least `minTokens`
 * content tokens that occur in at most `maxCount` places; split each covered token's unit weight equally between the
 * distinct contributions containing a kept span that covers it (the Shapley value of that token's coverage
 * game, so duplicated text shares credit rather than multiplying it); return integer ppm.
 *
 * Deterministic: the same index, text and parameters give the same result, and `canonicalJson` of it is
 * byte-identical everywhere.
 *
 * @example
 * const result = attributeSpans({ index, tokenizer, text: "Call me Ishmael. Some years ago" });
 * result.contributions; // [{ contributionId: 1n, ppm: 1000000 }]
 */
export function attributeSpans(parameters: AttributeSpansParameters): SpanAttribution {
  const { index, tokenizer, text } = parameters;
  const params: SpanParameters = {
    minTokens: parameters.minTokens ?? DEFAULT_SPAN_PARAMETERS.minTokens,
    maxCount: parameters.maxCount ?? DEFAULT_SPAN_PARAMETERS.maxCount,
  };
  checkParameters(params);
  if (index.tokenizer !== tokenizer.name) {
    throw new AttributionError(
      "INDEX_TOKENIZER_MISMATCH",
      `index was built with "${index.tokenizer}", the query uses "${tokenizer.name}"`,
      "Query with the tokenizer named in the index header.",
    );
  }
  const tokens = tokenizer.encode(text);
  const n = tokens.length;
  const lengths = longestMatches(index, tokens);
  const content = tokenizer.contentTokens();

  type Kept = {
    start: number;
    end: number;
    occurrences: number;
    sources: SpanSource[];
    contributions: bigint[];
  };
  const kept: Kept[] = [];
  for (let i = 0; i < n; i++) {
    const len = lengths[i] as number;
    // Match ends never decrease (a suffix of a match is a match), so the span at i is maximal exactly when it
    // ends later than the span at i - 1.
    if (len < params.minTokens || (i > 0 && len < (lengths[i - 1] as number))) continue;
    let contentCount = 0;
    for (let k = i; k < i + len; k++) contentCount += content[tokens[k] as number] as number;
    if (contentCount < params.minTokens) continue;
    const range = findSuffixRange(index, { pattern: tokens, from: i, to: i + len });
    const occurrences = range.end - range.start;
    if (occurrences > params.maxCount) continue;
    const positions: number[] = [];
    for (let r = range.start; r < range.end; r++) positions.push(saAt(index.suffixArray, r));
    positions.sort((a, b) => a - b);
    const sources: SpanSource[] = [];
    const distinct = new Set<bigint>();
    for (const position of positions) {
      const document = documentOf(index, position);
      const contributionId = index.contributionIds[document] as bigint;
      distinct.add(contributionId);
      sources.push({
        contributionId,
        document,
        documentOffset: position - (index.docStarts[document] as number),
      });
    }
    kept.push({ start: i, end: i + len, occurrences, sources, contributions: [...distinct] });
  }

  // Each covered token: union of the contributions of the kept spans covering it, equal split.
  const acc = createWeightAccumulator();
  let attributedTokens = 0;
  let first = 0;
  const union = new Set<bigint>();
  for (let t = 0; t < n; t++) {
    while (first < kept.length && (kept[first] as Kept).end <= t) first++;
    union.clear();
    for (let s = first; s < kept.length && (kept[s] as Kept).start <= t; s++) {
      const span = kept[s] as Kept;
      if (span.end > t) for (const c of span.contributions) union.add(c);
    }
    if (union.size === 0) continue;
    attributedTokens++;
    for (const c of union) acc.add(c, 1, union.size);
  }

  const offsets = kept.length > 0 ? tokenizer.charOffsets(tokens) : new Uint32Array(n + 1);
  const spans: AttributedSpan[] = kept.map((k) => {
    const charStart = offsets[k.start] as number;
    const charEnd = offsets[k.end] as number;
    return {
      tokenStart: k.start,
      tokenEnd: k.end,
      charStart,
      charEnd,
      text: text.slice(charStart, charEnd),
      occurrences: k.occurrences,
      sources: k.sources,
    };
  });
  spans.sort(
    (a, b) =>
      a.occurrences - b.occurrences ||
      b.tokenEnd - b.tokenStart - (a.tokenEnd - a.tokenStart) ||
      a.tokenStart - b.tokenStart,
  );
  return {
    algorithm: SPAN_ALGORITHM,
    tokenizer: tokenizer.name,
    params,
    outputTokens: n,
    attributedTokens,
    contributions: partsPerMillion(acc.integerWeights()),
    spans,
  };
}
