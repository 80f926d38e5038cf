import { canonicalJson } from "@tributary/core";
import { getVersion, getVersionCount } from "@tributary/sdk";
import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import type { VersionManifest } from "../publish/buildManifest.ts";
import { cidOfContentHash } from "../publish/collectVersionContents.ts";
import { VersionError } from "../publish/errors.ts";
import { manifestCidOf, parseManifest } from "../publish/parseManifest.ts";
import { renderDatasetCard } from "./renderDatasetCard.ts";

/** Parameters of {@link renderVersionExport}. */
export type RenderVersionExportParameters = { datanetId: bigint; version: number };

/** The three files of an exported version, in memory. */
export type VersionExport = {
  datanetId: bigint;
  version: number;
  contributionsRoot: Hex;
  manifestURI: string;
  manifest: VersionManifest;
  /** `manifest.json`: exactly the stored manifest blob. */
  manifestBytes: Uint8Array;
  /** `data.jsonl`: one canonical JSON object per contribution (`id`, `contentHash`, `contributor`, `text`). */
  dataJsonl: string;
  /** `README.md`: the dataset card. */
  readme: string;
};

/** Errors of {@link renderVersionExport} (`VersionError`): `VERSION_NOT_FOUND`, `MANIFEST_MISSING`, `MANIFEST_INVALID`, `CONTENT_MISSING`. */
export type RenderVersionExportErrorType = VersionError;

/**
 * Renders a published version as JSONL + dataset card + provenance manifest. The version's root, count and
 * manifest URI come from the chain when the node is connected (else from the indexer's projection); the
 * manifest must be in the content store and describe that very root, and every text is read back verified
 * against its content hash. Rows are in ascending contribution id, the order of the Merkle leaves.
 *
 * @example
 * const { dataJsonl, readme, manifestBytes } = await renderVersionExport(ctx, { datanetId: 1n, version: 2 });
 */
export async function renderVersionExport(
  ctx: NodeContext,
  params: RenderVersionExportParameters,
): Promise<VersionExport> {
  const { datanetId, version } = params;
  const onChain = await readVersion(ctx, datanetId, version);
  const cid = manifestCidOf(onChain.manifestURI);
  const manifestBytes = cid ? await ctx.store.get(cid) : undefined;
  if (!cid || !manifestBytes) {
    throw new VersionError(
      "MANIFEST_MISSING",
      `this node has no manifest for version ${version} of datanet ${datanetId} (${onChain.manifestURI})`,
      "Export from the node that published the version, or put the manifest and its blobs into this node's content store.",
      { details: { datanetId: datanetId.toString(), version, manifestURI: onChain.manifestURI } },
    );
  }
  const manifest = parseManifest({ bytes: manifestBytes, source: onChain.manifestURI });
  if (
    manifest.contributionsRoot !== onChain.contributionsRoot ||
    manifest.count !== onChain.count ||
    manifest.datanetId !== datanetId.toString()
  ) {
    throw new VersionError(
      "MANIFEST_INVALID",
      `manifest ${cid} describes datanet ${manifest.datanetId} root ${manifest.contributionsRoot}, but version ${version} of datanet ${datanetId} has root ${onChain.contributionsRoot}`,
      "The version points to a manifest that does not match it; do not train on this export.",
    );
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const rows: string[] = [];
  for (const c of manifest.contributions) {
    const text = cidOfContentHash(c.contentHash) === c.cid ? await ctx.store.get(c.cid) : undefined;
    if (!text) {
      throw new VersionError(
        "CONTENT_MISSING",
        `the text of contribution ${c.id} (${c.cid}) is not in this node's content store`,
        "Restore the content store (or fetch the CIDs from IPFS), then export again.",
        { details: { contributionId: c.id, cid: c.cid } },
      );
    }
    rows.push(
      canonicalJson({
        id: c.id,
        contentHash: c.contentHash,
        contributor: c.contributor,
        text: decoder.decode(text),
      }),
    );
  }
  return {
    datanetId,
    version,
    contributionsRoot: onChain.contributionsRoot,
    manifestURI: onChain.manifestURI,
    manifest,
    manifestBytes,
    dataJsonl: rows.length === 0 ? "" : `${rows.join("\n")}\n`,
    readme: renderDatasetCard({ manifest, version, manifestURI: onChain.manifestURI }),
  };
}

type OnChainVersion = { contributionsRoot: Hex; count: number; manifestURI: string };

async function readVersion(ctx: NodeContext, datanetId: bigint, version: number): Promise<OnChainVersion> {
  const notFound = () =>
    new VersionError(
      "VERSION_NOT_FOUND",
      `datanet ${datanetId} has no version ${version}`,
      "List the published versions with GET /v1/datanets/:id/versions.",
      { details: { datanetId: datanetId.toString(), version } },
    );
  if (ctx.chain) {
    const count = Number(await getVersionCount(ctx.chain.sdk, { datanetId }));
    if (!Number.isInteger(version) || version < 1 || version > count) throw notFound();
    const v = await getVersion(ctx.chain.sdk, { datanetId, version: BigInt(version) });
    return {
      contributionsRoot: v.contributionsRoot.toLowerCase() as Hex,
      count: Number(v.count),
      manifestURI: v.manifestURI,
    };
  }
  const row = await ctx.db
    .selectFrom("versions")
    .selectAll()
    .where("datanet_id", "=", Number(datanetId))
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row) throw notFound();
  return {
    contributionsRoot: row.contributions_root as Hex,
    count: row.count,
    manifestURI: row.manifest_uri,
  };
}
