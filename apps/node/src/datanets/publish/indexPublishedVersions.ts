import { buildContributionsTree } from "@tributary/core";
import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { buildVersionIndex } from "./buildVersionIndex.ts";
import { catchUpIndexer, chainOf } from "./chainOf.ts";
import { collectVersionContents } from "./collectVersionContents.ts";
import { VersionError } from "./errors.ts";
import { manifestCidOf, parseManifest } from "./parseManifest.ts";
import { recordVersionIndex } from "./recordVersionIndex.ts";

/** What happened to one version without an index. */
export type IndexedVersionOutcome = {
  datanetId: bigint;
  version: number;
  /**
   * `indexed` from its manifest or from the current accepted set (same root); `missing-manifest` when the node
   * has no manifest and the accepted set has moved on; `missing-content` when texts are missing; `invalid`
   * when the manifest does not re-derive the on-chain root.
   */
  status: "indexed" | "missing-manifest" | "missing-content" | "invalid";
  indexId?: string;
  detail?: string;
};

/** Parameters of {@link indexPublishedVersions}. */
export type IndexPublishedVersionsParameters = { datanetId?: bigint };

/**
 * The `onVersionPublished` path: a curator may publish by calling the contract directly, not through this
 * node. For every version in the projection that has no `version_indexes` row, this builds the attribution
 * index, best effort:
 *
 * 1. from its manifest, when the URI is `ipfs://<cid>` and the store has that CID: the manifest's entries must
 *    rebuild the on-chain root, and every text must be in the store (verified by CID);
 * 2. otherwise from the node's current Accepted contributions, when they give exactly the on-chain root
 *    (the common case of a curator publishing right after reviewing);
 * 3. otherwise it reports why it could not; attribution for that version answers 404 until the blobs arrive.
 *
 * Safe to call repeatedly (e.g. after each indexer sync); already indexed versions are skipped.
 *
 * @example
 * const outcomes = await indexPublishedVersions(ctx);
 */
export async function indexPublishedVersions(
  ctx: NodeContext,
  params: IndexPublishedVersionsParameters = {},
): Promise<IndexedVersionOutcome[]> {
  await catchUpIndexer(chainOf(ctx));
  let query = ctx.db
    .selectFrom("versions")
    .leftJoin("version_indexes", (join) =>
      join
        .onRef("version_indexes.datanet_id", "=", "versions.datanet_id")
        .onRef("version_indexes.version", "=", "versions.version"),
    )
    .select([
      "versions.datanet_id as datanet_id",
      "versions.version as version",
      "versions.contributions_root as root",
      "versions.count as count",
      "versions.manifest_uri as manifest_uri",
    ])
    .where("version_indexes.index_id", "is", null);
  if (params.datanetId !== undefined)
    query = query.where("versions.datanet_id", "=", Number(params.datanetId));
  const pending = await query.orderBy("versions.datanet_id").orderBy("versions.version").execute();
  const outcomes: IndexedVersionOutcome[] = [];
  for (const v of pending) {
    const base = { datanetId: BigInt(v.datanet_id), version: v.version };
    try {
      const documents = await documentsOf(ctx, v);
      if ("status" in documents) {
        outcomes.push({ ...base, ...documents });
        continue;
      }
      const built = await buildVersionIndex(ctx, { documents: documents.list });
      await recordVersionIndex(ctx, { ...base, indexId: built.indexId, tokens: built.tokens });
      outcomes.push({ ...base, status: "indexed", indexId: built.indexId });
    } catch (error) {
      if (!(error instanceof VersionError)) throw error;
      outcomes.push({
        ...base,
        status: error.code === "CONTENT_MISSING" ? "missing-content" : "invalid",
        detail: error.message,
      });
    }
  }
  return outcomes;
}

type VersionRow = { datanet_id: number; version: number; root: string; count: number; manifest_uri: string };
type Documents = { list: { contributionId: bigint; text: string }[] };
type Failure = { status: IndexedVersionOutcome["status"]; detail: string };

async function documentsOf(ctx: NodeContext, v: VersionRow): Promise<Documents | Failure> {
  const cid = manifestCidOf(v.manifest_uri);
  const bytes = cid ? await ctx.store.get(cid) : undefined;
  if (cid && bytes) {
    const manifest = parseManifest({ bytes, source: v.manifest_uri });
    const tree = buildContributionsTree(
      manifest.contributions.map((c) => ({
        contributionId: BigInt(c.id),
        contentHash: c.contentHash,
        contributor: c.contributor,
      })),
    );
    if (tree.root.toLowerCase() !== v.root || manifest.contributions.length !== v.count) {
      return { status: "invalid", detail: `manifest ${cid} does not re-derive the on-chain root ${v.root}` };
    }
    const decoder = new TextDecoder("utf-8", { fatal: true });
    const list = [];
    for (const c of manifest.contributions) {
      const text = await ctx.store.get(c.cid);
      if (!text)
        return { status: "missing-content", detail: `contribution ${c.id} (${c.cid}) is not in the store` };
      list.push({ contributionId: BigInt(c.id), text: decoder.decode(text) });
    }
    return { list };
  }
  const current = await collectVersionContents(ctx, { datanetId: BigInt(v.datanet_id) });
  if (current.contributionsRoot !== (v.root as Hex)) {
    return {
      status: "missing-manifest",
      detail: `the store has no manifest ${v.manifest_uri} and the accepted set no longer has root ${v.root}`,
    };
  }
  return { list: current.documents };
}
