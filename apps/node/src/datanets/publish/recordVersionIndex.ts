import type { NodeContext } from "../../context/NodeContext.ts";

/** Parameters of {@link recordVersionIndex}. */
export type RecordVersionIndexParameters = {
  datanetId: bigint;
  version: number;
  /** Content address of an index file already in `ctx.indexes`. */
  indexId: string;
  /** Tokens in the index (documents + separators). */
  tokens: number;
};

/**
 * Records which index file serves a datanet version (table `version_indexes`, read by `POST /v1/attribution`).
 * Idempotent: recording the same version again points it at the given index.
 *
 * @example
 * await recordVersionIndex(ctx, { datanetId: 1n, version: 3, indexId, tokens });
 */
export async function recordVersionIndex(
  ctx: NodeContext,
  params: RecordVersionIndexParameters,
): Promise<void> {
  await ctx.db
    .insertInto("version_indexes")
    .values({
      datanet_id: Number(params.datanetId),
      version: params.version,
      index_id: params.indexId,
      tokens: params.tokens,
      created_at: new Date().toISOString(),
    })
    .onConflict((oc) =>
      oc.columns(["datanet_id", "version"]).doUpdateSet({ index_id: params.indexId, tokens: params.tokens }),
    )
    .execute();
}
