import { buildIndexFromTokens } from "@tributary/core";
import type { NodeContext } from "../../context/NodeContext.ts";

/** Parameters of {@link buildVersionIndex}. */
export type BuildVersionIndexParameters = {
  /** The version's documents (any order: the index sorts them by contribution id). */
  documents: readonly { contributionId: bigint; text: string }[];
};

/** Return type of {@link buildVersionIndex}. */
export type BuildVersionIndexReturnType = {
  /** Content address of the index file (sha-256 hex) in `ctx.indexes`. */
  indexId: string;
  formatVersion: number;
  /** Tokens in the index, separators included. */
  tokens: number;
  /** Tokens of each document, in input order (for the manifest). */
  tokenCounts: number[];
};

/**
 * Tokenizes a version's documents once, builds their attribution index (suffix array) and writes it to the
 * node's index store. The index is content-addressed and its bytes depend only on the documents, so building
 * it again after a crash writes the same file under the same id.
 *
 * @example
 * const { indexId, tokenCounts } = await buildVersionIndex(ctx, { documents });
 */
export async function buildVersionIndex(
  ctx: NodeContext,
  params: BuildVersionIndexParameters,
): Promise<BuildVersionIndexReturnType> {
  const tokenized = params.documents.map((d) => ({
    contributionId: d.contributionId,
    tokens: ctx.tokenizer.encode(d.text),
  }));
  const index = buildIndexFromTokens({
    tokenizer: ctx.tokenizer.name,
    vocabSize: ctx.tokenizer.vocabSize,
    documents: tokenized,
  });
  const { id } = await ctx.indexes.write(index);
  return {
    indexId: id,
    formatVersion: index.formatVersion,
    tokens: index.tokens.length,
    tokenCounts: tokenized.map((t) => t.tokens.length),
  };
}
