import { buildIndexFromTokens } from "./buildIndex.ts";
import { AttributionError } from "./errors.ts";
import type { AttributionIndex, TokenizedDocument } from "./types.ts";

function sameTokens(a: Uint16Array, b: Uint16Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The attribution index of a model trained on several datanet versions: one index over the union of their
 * documents, so a span or an ∞-gram continuation is counted once however many versions hold it. A document of
 * a later index that is identical (same contribution id, same tokens) to one of an earlier index is dropped;
 * documents within one index are all kept, as that index has them. One index is returned as it is.
 *
 * The result is a function of the indexes and their order only (the order the model lists its trained-on
 * versions, which the receipt records), and `buildIndexFromTokens` orders documents by contribution id, so
 * every node that unites the same versions gets the same index, and the same attributions, byte for byte.
 *
 * @example
 * const index = unionIndex([v1, v2]); // v2 holds v1's documents and one more: v1's are kept once
 */
export function unionIndex(indexes: readonly AttributionIndex[]): AttributionIndex {
  const [first] = indexes;
  if (!first) {
    throw new AttributionError(
      "INVALID_PARAMETER",
      "unionIndex needs at least one index",
      "Pass the indexes of the model's trained-on versions.",
    );
  }
  if (indexes.length === 1) return first;
  for (const ix of indexes) {
    if (ix.tokenizer !== first.tokenizer || ix.vocabSize !== first.vocabSize) {
      throw new AttributionError(
        "INVALID_PARAMETER",
        `indexes use different tokenizers (${first.tokenizer}/${first.vocabSize} and ${ix.tokenizer}/${ix.vocabSize})`,
        "Unite only indexes built with the same tokenizer.",
      );
    }
  }
  // Documents of earlier indexes by contribution id: a later document is dropped when one of them is equal.
  const earlier = new Map<bigint, Uint16Array[]>();
  const documents: TokenizedDocument[] = [];
  for (const ix of indexes) {
    const added: [bigint, Uint16Array][] = [];
    const n = ix.docStarts.length;
    for (let d = 0; d < n; d++) {
      const start = ix.docStarts[d] as number;
      const end = (d + 1 < n ? (ix.docStarts[d + 1] as number) : ix.tokens.length) - 1; // before the separator
      const tokens = ix.tokens.subarray(start, end);
      const id = ix.contributionIds[d] as bigint;
      if (earlier.get(id)?.some((t) => sameTokens(t, tokens))) continue;
      documents.push({ contributionId: id, tokens });
      added.push([id, tokens]);
    }
    for (const [id, tokens] of added) {
      const list = earlier.get(id);
      if (list) list.push(tokens);
      else earlier.set(id, [tokens]);
    }
  }
  return buildIndexFromTokens({ tokenizer: first.tokenizer, vocabSize: first.vocabSize, documents });
}
