import type { Tokenizer } from "../tokenizer/createTokenizer.ts";
import { buildSuffixArray } from "./buildSuffixArray.ts";
import { INDEX_FORMAT_VERSION, SEPARATOR_TOKEN } from "./constants.ts";
import { AttributionError } from "./errors.ts";
import { packSuffixArray, suffixArrayWidth } from "./packedSuffixArray.ts";
import type { AttributionIndex, TextDocument, TokenizedDocument } from "./types.ts";

/** Parameters of {@link buildIndexFromTokens}. */
export type BuildIndexFromTokensParameters = {
  /** Tokenizer name recorded in the header (must be the one that produced the tokens). */
  readonly tokenizer: string;
  /** Every token id must be `< vocabSize` and `vocabSize` must be `<= 0xFFFF`. */
  readonly vocabSize: number;
  readonly documents: readonly TokenizedDocument[];
};

const MAX_CONTRIBUTION_ID = (1n << 64n) - 1n;

/**
 * Builds an attribution index from tokenized documents. Documents are ordered by contribution id (stable),
 * so the same set of documents always gives the same index bytes whatever order they arrive in.
 *
 * @example
 * const index = buildIndexFromTokens({ tokenizer: "r50k_base", vocabSize: 50257,
 *   documents: [{ contributionId: 1n, tokens: [14134, 502, 1148] }] });
 */
export function buildIndexFromTokens(parameters: BuildIndexFromTokensParameters): AttributionIndex {
  const { tokenizer, vocabSize } = parameters;
  if (!Number.isInteger(vocabSize) || vocabSize < 1 || vocabSize > SEPARATOR_TOKEN) {
    throw new AttributionError(
      "INVALID_PARAMETER",
      `vocabSize ${vocabSize} does not fit below the separator ${SEPARATOR_TOKEN}`,
      "Use a tokenizer whose ids fit in 16 bits (r50k_base).",
    );
  }
  const order = parameters.documents
    .map((doc, i) => ({ doc, i }))
    .sort((a, b) =>
      a.doc.contributionId < b.doc.contributionId
        ? -1
        : a.doc.contributionId > b.doc.contributionId
          ? 1
          : a.i - b.i,
    );
  let total = 0;
  for (const { doc } of order) total += doc.tokens.length + 1;
  if (total >= 2 ** 31) {
    throw new AttributionError(
      "INDEX_TOO_LARGE",
      `index of ${total} tokens exceeds 2^31 - 1`,
      "Split the datanet version into several index shards.",
    );
  }
  const tokens = new Uint16Array(total);
  const docStarts = new Uint32Array(order.length);
  const contributionIds = new BigUint64Array(order.length);
  let at = 0;
  for (let d = 0; d < order.length; d++) {
    const doc = (order[d] as { doc: TokenizedDocument }).doc;
    if (doc.contributionId < 0n || doc.contributionId > MAX_CONTRIBUTION_ID) {
      throw new AttributionError(
        "INVALID_PARAMETER",
        `contribution id ${doc.contributionId} is not a uint64`,
        "Contribution ids are on-chain uint64 values.",
      );
    }
    docStarts[d] = at;
    contributionIds[d] = doc.contributionId;
    const src = doc.tokens;
    for (let i = 0; i < src.length; i++) {
      const t = src[i] as number;
      if (!(t >= 0 && t < vocabSize && Number.isInteger(t))) {
        throw new AttributionError(
          "INVALID_TOKEN",
          `token ${t} at offset ${i} of contribution ${doc.contributionId} is outside [0, ${vocabSize})`,
          `Tokenize documents with ${tokenizer}.`,
        );
      }
      tokens[at++] = t;
    }
    tokens[at++] = SEPARATOR_TOKEN;
  }
  const sa = buildSuffixArray(tokens, SEPARATOR_TOKEN + 1);
  // Suffixes starting at a separator are the largest (0xFFFF is the largest symbol) and can never match a
  // query, so they are the last `docCount` entries and are dropped. The rest is bit-packed with
  // ceil(log2(total)) bits per entry (27 at 100M tokens instead of 32).
  const suffixArray = packSuffixArray(sa.subarray(0, total - order.length), suffixArrayWidth(total));
  return {
    formatVersion: INDEX_FORMAT_VERSION,
    tokenizer,
    vocabSize,
    tokens,
    suffixArray,
    docStarts,
    contributionIds,
  };
}

/** Parameters of {@link buildIndex}. */
export type BuildIndexParameters = {
  readonly tokenizer: Tokenizer;
  readonly documents: readonly TextDocument[];
};

/**
 * Tokenizes documents and builds their attribution index.
 *
 * @example
 * const index = buildIndex({ tokenizer: createTokenizer(), documents: [{ contributionId: 7n, text: "Call me Ishmael." }] });
 */
export function buildIndex(parameters: BuildIndexParameters): AttributionIndex {
  const { tokenizer } = parameters;
  return buildIndexFromTokens({
    tokenizer: tokenizer.name,
    vocabSize: tokenizer.vocabSize,
    documents: parameters.documents.map((d) => ({
      contributionId: d.contributionId,
      tokens: tokenizer.encode(d.text),
    })),
  });
}
