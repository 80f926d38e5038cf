import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { catchUpIndexer } from "../publish/chainOf.ts";
import { VersionError } from "../publish/errors.ts";

/** A published version as the API lists it. */
export type VersionSummary = {
  datanetId: bigint;
  version: number;
  contributionsRoot: Hex;
  count: number;
  manifestURI: string;
  publishedBlock: number;
  /** The attribution index serving it on this node, or null (published elsewhere and not indexable yet). */
  indexId: string | null;
  tokens: number | null;
};

/** Parameters of {@link listVersions}. */
export type ListVersionsParameters = {
  datanetId: bigint;
  /** Page size (1..500). */
  limit: number;
  /** Versions after this number (the previous page's `nextCursor`). */
  cursor?: number;
  /** Only this version (used by the detail view). */
  version?: number;
};

/** Return type of {@link listVersions}: a page, ascending by version. */
export type ListVersionsReturnType = { items: VersionSummary[]; nextCursor: string | null };

/** Errors of {@link listVersions}: `DATANET_NOT_FOUND` (`VersionError`). */
export type ListVersionsErrorType = VersionError;

/**
 * Lists a datanet's published versions from the indexer's projection (caught up with the chain first when the
 * node is connected), with the attribution index that serves each one on this node.
 *
 * @example
 * const { items, nextCursor } = await listVersions(ctx, { datanetId: 1n, limit: 50 });
 */
export async function listVersions(
  ctx: NodeContext,
  params: ListVersionsParameters,
): Promise<ListVersionsReturnType> {
  if (ctx.chain) await catchUpIndexer(ctx.chain);
  const datanet = await ctx.db
    .selectFrom("datanets")
    .select("id")
    .where("id", "=", Number(params.datanetId))
    .executeTakeFirst();
  if (!datanet) {
    throw new VersionError(
      "DATANET_NOT_FOUND",
      `datanet ${params.datanetId} does not exist`,
      "Check the datanet id (GET /v1/datanets lists them).",
    );
  }
  let query = ctx.db
    .selectFrom("versions")
    .leftJoin("version_indexes", (join) =>
      join
        .onRef("version_indexes.datanet_id", "=", "versions.datanet_id")
        .onRef("version_indexes.version", "=", "versions.version"),
    )
    .select([
      "versions.version as version",
      "versions.contributions_root as root",
      "versions.count as count",
      "versions.manifest_uri as manifest_uri",
      "versions.published_block as published_block",
      "version_indexes.index_id as index_id",
      "version_indexes.tokens as tokens",
    ])
    .where("versions.datanet_id", "=", Number(params.datanetId))
    .where("versions.version", ">", params.cursor ?? 0);
  if (params.version !== undefined) query = query.where("versions.version", "=", params.version);
  const rows = await query
    .orderBy("versions.version")
    .limit(params.limit + 1)
    .execute();
  const items = rows.slice(0, params.limit).map(
    (r): VersionSummary => ({
      datanetId: params.datanetId,
      version: r.version,
      contributionsRoot: r.root as Hex,
      count: r.count,
      manifestURI: r.manifest_uri,
      publishedBlock: r.published_block,
      indexId: r.index_id ?? null,
      tokens: r.tokens ?? null,
    }),
  );
  return { items, nextCursor: rows.length > params.limit ? String(items[items.length - 1]!.version) : null };
}
