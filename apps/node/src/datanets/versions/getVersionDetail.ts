import type { NodeContext } from "../../context/NodeContext.ts";
import type { VersionManifest } from "../publish/buildManifest.ts";
import { VersionError } from "../publish/errors.ts";
import { manifestCidOf, parseManifest } from "../publish/parseManifest.ts";
import { listVersions, type VersionSummary } from "./listVersions.ts";

/** Parameters of {@link getVersionDetail}. */
export type GetVersionDetailParameters = { datanetId: bigint; version: number };

/** Return type of {@link getVersionDetail}: the version and its manifest (null when this node lacks it). */
export type GetVersionDetailReturnType = VersionSummary & { manifest: VersionManifest | null };

/** Errors of {@link getVersionDetail}: `DATANET_NOT_FOUND`, `VERSION_NOT_FOUND`, `MANIFEST_INVALID` (`VersionError`). */
export type GetVersionDetailErrorType = VersionError;

/**
 * One published version with its provenance manifest, read from the content store by the CID of its
 * `ipfs://` manifest URI (null when the version was published elsewhere and this node has no copy).
 *
 * @example
 * const { contributionsRoot, manifest } = await getVersionDetail(ctx, { datanetId: 1n, version: 2 });
 */
export async function getVersionDetail(
  ctx: NodeContext,
  params: GetVersionDetailParameters,
): Promise<GetVersionDetailReturnType> {
  const { items } = await listVersions(ctx, {
    datanetId: params.datanetId,
    limit: 1,
    version: params.version,
  });
  const summary = items[0];
  if (!summary) {
    throw new VersionError(
      "VERSION_NOT_FOUND",
      `datanet ${params.datanetId} has no version ${params.version}`,
      "List the published versions with GET /v1/datanets/:id/versions.",
    );
  }
  const cid = manifestCidOf(summary.manifestURI);
  const bytes = cid ? await ctx.store.get(cid) : undefined;
  return { ...summary, manifest: bytes ? parseManifest({ bytes, source: summary.manifestURI }) : null };
}
