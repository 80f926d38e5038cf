import type { PackedSuffixArray } from "./packedSuffixArray.ts";

/**
 * An attribution index over one datanet version: the documents' tokens (each followed by a separator that
 * never matches), their suffix array, and which contribution each document belongs to.
 */
export type AttributionIndex = {
  /** Index file format version (currently 2). */
  readonly formatVersion: number;
  /** Tokenizer name; queries must use the same tokenizer. */
  readonly tokenizer: string;
  /** Token ids are `< vocabSize`; the separator is `SEPARATOR_TOKEN`. */
  readonly vocabSize: number;
  /** All documents' tokens, each document followed by `SEPARATOR_TOKEN`. */
  readonly tokens: Uint16Array;
  /**
   * Start positions of all non-separator suffixes in lexicographic order, bit-packed with
   * `suffixArrayWidth(tokens.length)` bits per entry; read entry `i` with `saAt(suffixArray, i)`.
   */
  readonly suffixArray: PackedSuffixArray;
  /** Position in `tokens` where each document starts, increasing. */
  readonly docStarts: Uint32Array;
  /** Contribution id of each document (several documents may share one contribution). */
  readonly contributionIds: BigUint64Array;
};

/** A document to index: its contribution id and its text already tokenized. */
export type TokenizedDocument = {
  readonly contributionId: bigint;
  readonly tokens: ArrayLike<number>;
};

/** A document to index: its contribution id and its text. */
export type TextDocument = {
  readonly contributionId: bigint;
  readonly text: string;
};

/** One place where a token sequence occurs. */
export type Occurrence = {
  /** Position in `index.tokens`. */
  readonly position: number;
  /** Index of the document in the index. */
  readonly document: number;
  /** Token offset inside that document. */
  readonly documentOffset: number;
  readonly contributionId: bigint;
};

/** A half-open range `[start, end)` of the suffix array; `end - start` is the number of occurrences. */
export type SuffixRange = { readonly start: number; readonly end: number };
