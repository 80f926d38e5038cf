import type { Tokenizer } from "../tokenizer/createTokenizer.ts";
import { SEPARATOR_TOKEN } from "./constants.ts";
import { createRandom } from "./createRandom.ts";
import { AttributionError } from "./errors.ts";
import { findSuffixRange } from "./findSuffixRange.ts";
import { saAt } from "./packedSuffixArray.ts";
import { type ContributionShare, createWeightAccumulator, partsPerMillion } from "./partsPerMillion.ts";
import { documentOf } from "./queries.ts";
import type { AttributionIndex } from "./types.ts";

/** Version tag of the ∞-gram generator and its attribution; part of every result. */
export const INFINIGRAM_ALGORITHM = "infinigram-v1";

/** Sampling parameters of the ∞-gram generator (all part of the result). */
export type InfiniGramParameters = {
  /** Most tokens to generate (1..4096). */
  readonly maxTokens: number;
  /** 0 = greedy; otherwise weights are `count^(1/temperature)`. */
  readonly temperature: number;
  /** Sample among the k most frequent continuations; 0 = all. */
  readonly topK: number;
  /** Seed of the PRNG: the same seed reproduces the same text. */
  readonly seed: bigint;
  /** Back off to a shorter context until the context has at least this many continuations. */
  readonly minCount: number;
  /** Stop after a token that ends a sentence (`.`, `!`, `?`). */
  readonly stopAtSentence: boolean;
};

/** Defaults of {@link InfiniGramParameters}. */
export const DEFAULT_INFINIGRAM_PARAMETERS: InfiniGramParameters = {
  maxTokens: 64,
  temperature: 1,
  topK: 0,
  seed: 0n,
  minCount: 1,
  stopAtSentence: true,
};

/** One candidate next token: how often the context is followed by it. */
export type Continuation = { readonly token: number; readonly count: number };

/** The next-token distribution for a context. */
export type NextTokenDistribution = {
  /** Length in tokens of the context suffix used (after back-off). */
  readonly suffixLength: number;
  /** Occurrences of that suffix followed by a token (not by a document end). */
  readonly total: number;
  /** Continuations by count descending, then token id ascending. */
  readonly continuations: readonly Continuation[];
};

/** How many times one contribution's documents hold the occurrence a token was drawn from. */
export type TokenSource = { readonly contributionId: bigint; readonly occurrences: number };

/** One generated token and the evidence it was drawn from. */
export type GeneratedToken = {
  readonly token: number;
  readonly text: string;
  /** Context suffix length used for this step. */
  readonly suffixLength: number;
  /** Occurrences of the context suffix followed by any token. */
  readonly contextCount: number;
  /** Occurrences of the context suffix followed by this token: the mass it was drawn from. */
  readonly count: number;
  /** Those occurrences by contribution (sum = `count`). */
  readonly sources: readonly TokenSource[];
};

/** Result of `generate`. */
export type InfiniGramGeneration = {
  readonly algorithm: typeof INFINIGRAM_ALGORITHM;
  readonly tokenizer: string;
  readonly params: InfiniGramParameters;
  readonly promptTokens: number;
  readonly text: string;
  readonly tokens: readonly GeneratedToken[];
  readonly stopReason: "sentence" | "maxTokens" | "noContinuation";
  /** Exact attribution: each token's unit weight split over its occurrences; ppm summing to 1,000,000. */
  readonly contributions: readonly ContributionShare[];
};

/** Parameters of {@link createInfiniGram}. */
export type CreateInfiniGramParameters = {
  readonly index: AttributionIndex;
  readonly tokenizer: Tokenizer;
  /**
   * Index of documents to treat as removed (leave-one-out): every count is the full index's minus this
   * one's, exactly as if the index had been rebuilt without those documents (documents never share spans,
   * so counts add up). Sources from the removed contributions are skipped.
   */
  readonly removed?: AttributionIndex;
};

/** An ∞-gram language model over one index. */
export type InfiniGram = {
  /** Next-token distribution for a tokenized context. */
  nextTokenDistribution(context: ArrayLike<number>, minCount?: number): NextTokenDistribution;
  /** Generates a continuation of `prompt`, every token with its sources and the exact attribution. */
  generate(parameters: { readonly prompt: string } & Partial<InfiniGramParameters>): InfiniGramGeneration;
};

/** Longest context, in tokens, that the model looks at (a suffix that long practically never repeats). */
const MAX_CONTEXT = 1024;

type Range = { start: number; end: number };

function checkParameters(p: InfiniGramParameters): void {
  const bad = (what: string, hint: string): never => {
    throw new AttributionError("INVALID_PARAMETER", what, hint);
  };
  if (!Number.isInteger(p.maxTokens) || p.maxTokens < 1 || p.maxTokens > 4096)
    bad(`maxTokens ${p.maxTokens} is not in [1, 4096]`, "Use 64.");
  if (!(Number.isFinite(p.temperature) && p.temperature >= 0 && p.temperature <= 10))
    bad(`temperature ${p.temperature} is not in [0, 10]`, "Use 1 (or 0 for greedy).");
  if (!Number.isInteger(p.topK) || p.topK < 0) bad(`topK ${p.topK} is not an integer >= 0`, "Use 0 for all.");
  if (!Number.isInteger(p.minCount) || p.minCount < 1) bad(`minCount ${p.minCount} is not >= 1`, "Use 1.");
}

/**
 * Creates the built-in ∞-gram specialized language model over a datanet version's index: the next-token
 * distribution comes from the continuations of the longest suffix of the context that occurs in the index
 * with at least `minCount` continuations (backing off to shorter suffixes otherwise). Because every sampled
 * token is drawn from known occurrences, its attribution is exact: its unit weight is split over those
 * occurrences by contribution.
 *
 * @example
 * const lm = createInfiniGram({ index, tokenizer });
 * const out = lm.generate({ prompt: "Call me Ishmael.", seed: 7n, maxTokens: 40 });
 * out.text; out.contributions; // [{ contributionId: 1n, ppm: 1000000 }]
 */
export function createInfiniGram(parameters: CreateInfiniGramParameters): InfiniGram {
  const { index, tokenizer, removed } = parameters;
  if (index.tokenizer !== tokenizer.name || (removed !== undefined && removed.tokenizer !== tokenizer.name)) {
    throw new AttributionError(
      "INDEX_TOKENIZER_MISMATCH",
      `index was built with "${index.tokenizer}", the model uses "${tokenizer.name}"`,
      "Use the tokenizer named in the index header.",
    );
  }
  const removedIds = new Set<bigint>(removed === undefined ? [] : removed.contributionIds);
  const { suffixArray } = index;

  // Start of the document-end sub-range: within a range at depth `depth`, suffixes are sorted by their token
  // at that depth, and the separator is the largest token, so the occurrences ending a document come last.
  function separatorStart(ix: AttributionIndex, r: Range, depth: number): number {
    let lo = r.start;
    let hi = r.end;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((ix.tokens[saAt(ix.suffixArray, mid) + depth] as number) < SEPARATOR_TOKEN) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  function rangeOf(ix: AttributionIndex, context: ArrayLike<number>, depth: number): Range {
    if (depth === 0) return { start: 0, end: ix.suffixArray.length };
    return findSuffixRange(ix, { pattern: context, from: context.length - depth, to: context.length });
  }

  // Continuation count of the context suffix of length `depth` in the (possibly reduced) index.
  function continuationCount(context: ArrayLike<number>, depth: number): number {
    const r = rangeOf(index, context, depth);
    let count = separatorStart(index, r, depth) - r.start;
    if (removed !== undefined && count > 0) {
      const rr = rangeOf(removed, context, depth);
      count -= separatorStart(removed, rr, depth) - rr.start;
    }
    return count;
  }

  // Sub-ranges per next token: each run of equal tokens at `depth` is found by binary search, so a range of
  // millions of occurrences costs O(distinct tokens × log) rather than a scan.
  function runs(ix: AttributionIndex, r: Range, depth: number): Map<number, Range> {
    const out = new Map<number, Range>();
    const end = separatorStart(ix, r, depth);
    let a = r.start;
    while (a < end) {
      const tok = ix.tokens[saAt(ix.suffixArray, a) + depth] as number;
      let lo = a + 1;
      let hi = end;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((ix.tokens[saAt(ix.suffixArray, mid) + depth] as number) <= tok) lo = mid + 1;
        else hi = mid;
      }
      out.set(tok, { start: a, end: lo });
      a = lo;
    }
    return out;
  }

  function longestSuffix(context: ArrayLike<number>, minCount: number, upper: number): number {
    const maxDepth = Math.min(upper, context.length, MAX_CONTEXT);
    const threshold = Math.min(minCount, Math.max(1, continuationCount(context, 0)));
    if (continuationCount(context, maxDepth) >= threshold) return maxDepth;
    // Counts never grow with the suffix length, so the longest good suffix is found by binary search.
    let lo = 0;
    let hi = maxDepth - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (continuationCount(context, mid) >= threshold) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  type Step = NextTokenDistribution & { runs: Map<number, Range> };

  function distribution(context: ArrayLike<number>, minCount: number, upper: number): Step {
    const depth = longestSuffix(context, minCount, upper);
    const full = runs(index, rangeOf(index, context, depth), depth);
    const counts = new Map<number, number>();
    for (const [tok, r] of full) counts.set(tok, r.end - r.start);
    if (removed !== undefined) {
      for (const [tok, r] of runs(removed, rangeOf(removed, context, depth), depth)) {
        const left = (counts.get(tok) ?? 0) - (r.end - r.start);
        if (left > 0) counts.set(tok, left);
        else counts.delete(tok);
      }
    }
    const continuations = [...counts].map(([token, count]) => ({ token, count }));
    continuations.sort((a, b) => b.count - a.count || a.token - b.token);
    let total = 0;
    for (const c of continuations) total += c.count;
    return { suffixLength: depth, total, continuations, runs: full };
  }

  function sourcesOf(r: Range): TokenSource[] {
    const byContribution = new Map<bigint, number>();
    for (let i = r.start; i < r.end; i++) {
      const id = index.contributionIds[documentOf(index, saAt(suffixArray, i))] as bigint;
      if (removedIds.has(id)) continue;
      byContribution.set(id, (byContribution.get(id) ?? 0) + 1);
    }
    return [...byContribution]
      .map(([contributionId, occurrences]) => ({ contributionId, occurrences }))
      .sort((a, b) => (a.contributionId < b.contributionId ? -1 : 1));
  }

  function generate(
    input: { readonly prompt: string } & Partial<InfiniGramParameters>,
  ): InfiniGramGeneration {
    const params: InfiniGramParameters = {
      maxTokens: input.maxTokens ?? DEFAULT_INFINIGRAM_PARAMETERS.maxTokens,
      temperature: input.temperature ?? DEFAULT_INFINIGRAM_PARAMETERS.temperature,
      topK: input.topK ?? DEFAULT_INFINIGRAM_PARAMETERS.topK,
      seed: BigInt.asUintN(64, BigInt(input.seed ?? DEFAULT_INFINIGRAM_PARAMETERS.seed)),
      minCount: input.minCount ?? DEFAULT_INFINIGRAM_PARAMETERS.minCount,
      stopAtSentence: input.stopAtSentence ?? DEFAULT_INFINIGRAM_PARAMETERS.stopAtSentence,
    };
    checkParameters(params);
    const rng = createRandom(params.seed);
    const promptTokens = tokenizer.encode(input.prompt);
    const context: number[] = Array.from(promptTokens);
    const out: Omit<GeneratedToken, "text">[] = [];
    const acc = createWeightAccumulator();
    let stopReason: InfiniGramGeneration["stopReason"] = "maxTokens";
    let upper = MAX_CONTEXT;
    for (let step = 0; step < params.maxTokens; step++) {
      const dist = distribution(context, params.minCount, upper);
      if (dist.total === 0) {
        stopReason = "noContinuation";
        break;
      }
      const pool = params.topK > 0 ? dist.continuations.slice(0, params.topK) : dist.continuations;
      let chosen = pool[0] as Continuation;
      if (params.temperature > 0) {
        // One uniform draw per step (even when greedy-equivalent) keeps the random stream aligned across runs.
        const u = rng.nextFloat();
        const inv = 1 / params.temperature;
        const weights = pool.map((c) => (inv === 1 ? c.count : c.count ** inv));
        let sum = 0;
        for (const w of weights) sum += w;
        let x = u * sum;
        for (let i = 0; i < pool.length; i++) {
          x -= weights[i] as number;
          if (x < 0) {
            chosen = pool[i] as Continuation;
            break;
          }
          chosen = pool[i] as Continuation;
        }
      }
      const sources = sourcesOf(dist.runs.get(chosen.token) as Range);
      for (const s of sources) acc.add(s.contributionId, s.occurrences, chosen.count);
      out.push({
        token: chosen.token,
        suffixLength: dist.suffixLength,
        contextCount: dist.total,
        count: chosen.count,
        sources,
      });
      context.push(chosen.token);
      upper = dist.suffixLength + 1;
      if (params.stopAtSentence && /[.!?]["')\]]*\s*$/.test(tokenizer.decode([chosen.token]))) {
        stopReason = "sentence";
        break;
      }
    }
    const generated = out.map((t) => t.token);
    const text = tokenizer.decode(generated);
    const offsets = tokenizer.charOffsets(generated);
    return {
      algorithm: INFINIGRAM_ALGORITHM,
      tokenizer: tokenizer.name,
      params,
      promptTokens: promptTokens.length,
      text,
      tokens: out.map((t, i) => ({ ...t, text: text.slice(offsets[i] as number, offsets[i + 1] as number) })),
      stopReason,
      contributions: partsPerMillion(acc.integerWeights()),
    };
  }

  return {
    nextTokenDistribution(context, minCount = DEFAULT_INFINIGRAM_PARAMETERS.minCount) {
      const { runs: _runs, ...rest } = distribution(context, minCount, MAX_CONTEXT);
      return rest;
    },
    generate,
  };
}
