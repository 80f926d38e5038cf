export {
  type AttributedSpan,
  type AttributeSpansParameters,
  attributeSpans,
  DEFAULT_SPAN_PARAMETERS,
  MAX_SPAN_MAX_COUNT,
  SPAN_ALGORITHM,
  type SpanAttribution,
  type SpanParameters,
  type SpanSource,
} from "./attributeSpans.ts";
export {
  type BuildIndexFromTokensParameters,
  type BuildIndexParameters,
  buildIndex,
  buildIndexFromTokens,
} from "./buildIndex.ts";
export { buildSuffixArray, type SuffixArrayText } from "./buildSuffixArray.ts";
export { canonicalJson } from "./canonicalJson.ts";
export {
  INDEX_FORMAT_VERSION,
  INDEX_HEADER_BYTES,
  INDEX_MAGIC,
  INDEX_TRAILER_BYTES,
  SEPARATOR_TOKEN,
} from "./constants.ts";
export {
  type Continuation,
  type CreateInfiniGramParameters,
  createInfiniGram,
  DEFAULT_INFINIGRAM_PARAMETERS,
  type GeneratedToken,
  INFINIGRAM_ALGORITHM,
  type InfiniGram,
  type InfiniGramGeneration,
  type InfiniGramParameters,
  type NextTokenDistribution,
  type TokenSource,
} from "./createInfiniGram.ts";
export { createRandom, type Random } from "./createRandom.ts";
export { type DecodeIndexOptions, type DecodeIndexReturnType, decodeIndex } from "./decodeIndex.ts";
export { type EncodeIndexReturnType, encodeIndex, MAX_TOKENIZER_NAME_BYTES } from "./encodeIndex.ts";
export { AttributionError, type AttributionErrorCode } from "./errors.ts";
export { findSuffixRange, longestPrefixMatch, type PatternSlice } from "./findSuffixRange.ts";
export {
  type PackedSuffixArray,
  packedSuffixArrayOf,
  packedWordCount,
  packSuffixArray,
  saAt,
  suffixArrayWidth,
  unpackSuffixArray,
} from "./packedSuffixArray.ts";
export {
  type ContributionShare,
  createWeightAccumulator,
  PPM_TOTAL,
  partsPerMillion,
  type WeightAccumulator,
} from "./partsPerMillion.ts";
export {
  countOccurrences,
  documentOf,
  type LocateOccurrencesOptions,
  locateOccurrences,
  longestMatches,
} from "./queries.ts";
export { sha256Hex } from "./sha256.ts";
export type { AttributionIndex, Occurrence, SuffixRange, TextDocument, TokenizedDocument } from "./types.ts";
export { unionIndex } from "./unionIndex.ts";
