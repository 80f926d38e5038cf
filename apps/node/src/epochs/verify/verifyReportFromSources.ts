import type { EpochReport } from "@tributary/sdk";
import { ApiError } from "../../api/ApiError.ts";
import type { ChainContext, NodeContext } from "../../context/NodeContext.ts";
import { fetchVersionIndex } from "../../datanets/publish/fetchVersionIndex.ts";
import { createBundleStage } from "../bundleSource.ts";
import { onChainReport } from "../chainReads.ts";
import { cidOfBundleUri } from "../epochRecords.ts";
import { type BundleVerification, type VerifyProgress, verifyBundle } from "../verifyBundle.ts";

/** Parameters of {@link verifyReportFromSources}. */
export type VerifyReportFromSourcesParameters = {
  report: EpochReport;
  /** Nodes to download the bundles and missing version exports from, tried in order. */
  sources: readonly string[];
  /** Bounds the receipts read (a co-sign request's announced count). */
  maxReceipts?: number | undefined;
  fetch?: typeof fetch | undefined;
  /** Called as the verification advances (bundle read, receipts recomputed, version indexes fetched). */
  onProgress?: ((event: VerifyProgress) => void) | undefined;
};

/**
 * Verifies `report` against its bundle, downloaded (when `ctx` lacks it) from `sources` into a stage: the bundle
 * reaches the content store only when it verifies. The previous epoch's finalized report is read from the chain;
 * version indexes `ctx` lacks are fetched from `sources` and checked against the chain. The one verification
 * path of a node (self-check, `POST /v1/epochs/:n/verify`, co-signing) and of `tributary epoch verify`.
 *
 * @throws {ApiError} 400 `INVALID_BUNDLE_URI`; 502 `BUNDLE_UNAVAILABLE` when no source serves the bundle.
 *
 * @example
 * const result = await verifyReportFromSources(ctx, chain, { report, sources: ["http://peer:8787"] });
 */
export async function verifyReportFromSources(
  ctx: NodeContext,
  chain: ChainContext,
  params: VerifyReportFromSourcesParameters,
): Promise<BundleVerification> {
  const { report, sources } = params;
  const fetchOption = params.fetch ? { fetch: params.fetch } : {};
  const cid = cidOfBundleUri(report.bundleURI);
  if (!cid) {
    throw new ApiError(
      400,
      "INVALID_BUNDLE_URI",
      `bundleURI ${report.bundleURI} is not tributary://bundle/<cid>`,
      "Reports built by Tributary nodes name their bundle by CID.",
    );
  }
  const onProgress = params.onProgress;
  const stage = createBundleStage(ctx, sources, fetchOption);
  try {
    onProgress?.({ step: "bundle", cid });
    const lines = await stage.open(cid);
    const previous = report.epoch > 1n ? await onChainReport(chain, report.epoch - 1n) : undefined;
    const result = await verifyBundle(ctx, chain, {
      report,
      lines,
      openBundle: (c) => {
        onProgress?.({ step: "bundle", cid: c });
        return stage.open(c);
      },
      fetchVersion: (datanetId, version) => {
        onProgress?.({ step: "version", datanetId, version });
        return fetchVersionIndex(ctx, { datanetId, version, sources, ...fetchOption });
      },
      previousOnChain:
        previous?.finalized === true
          ? {
              epoch: previous.report.epoch,
              chargesRoot: previous.report.chargesRoot,
              rewardsRoot: previous.report.rewardsRoot,
            }
          : undefined,
      ...(params.maxReceipts !== undefined ? { maxReceipts: params.maxReceipts } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    if (result.ok) await stage.commit();
    return result;
  } finally {
    stage.discard();
  }
}
