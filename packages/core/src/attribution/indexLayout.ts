import { INDEX_HEADER_BYTES, INDEX_TRAILER_BYTES } from "./constants.ts";
import { packedWordCount, suffixArrayWidth } from "./packedSuffixArray.ts";

/** Byte offsets of the sections of an index file, derived from the header counts alone. */
export type IndexLayout = {
  readonly tokensOffset: number;
  readonly suffixArrayOffset: number;
  /** Bits per suffix-array entry, `suffixArrayWidth(tokenCount)`. */
  readonly suffixArrayWidth: number;
  /** 32-bit words of the packed suffix array (including its zero guard word). */
  readonly suffixArrayWords: number;
  readonly docStartsOffset: number;
  readonly contributionIdsOffset: number;
  readonly trailerOffset: number;
  readonly fileBytes: number;
};

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * Computes the section offsets of an index file. Every section starts on an 8-byte boundary so that typed
 * array views can point straight into the file buffer without copying.
 */
export function indexLayout(tokenCount: number, suffixCount: number, docCount: number): IndexLayout {
  const tokensOffset = INDEX_HEADER_BYTES;
  const suffixArrayOffset = align8(tokensOffset + 2 * tokenCount);
  const width = suffixArrayWidth(tokenCount);
  const suffixArrayWords = packedWordCount(suffixCount, width);
  const docStartsOffset = align8(suffixArrayOffset + 4 * suffixArrayWords);
  const contributionIdsOffset = align8(docStartsOffset + 4 * docCount);
  const trailerOffset = contributionIdsOffset + 8 * docCount;
  return {
    tokensOffset,
    suffixArrayOffset,
    suffixArrayWidth: width,
    suffixArrayWords,
    docStartsOffset,
    contributionIdsOffset,
    trailerOffset,
    fileBytes: trailerOffset + INDEX_TRAILER_BYTES,
  };
}
