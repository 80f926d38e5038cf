import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deployment } from "@tributary/chain";
import type { Chain } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { ApiError } from "../api/ApiError.ts";
import { createNode } from "../createNode.ts";
import { catchUpIndexer } from "../datanets/publish/chainOf.ts";
import { type OnChainReport, onChainReport } from "./chainReads.ts";
import { verifyReportFromSources } from "./verify/verifyReportFromSources.ts";
import type { BundleVerification, VerifyProgress } from "./verifyBundle.ts";

/** Parameters of {@link verifyEpochLocally}. */
export type VerifyEpochLocallyParameters = {
  epoch: bigint;
  /** The chain to read the report, registries and deposits from (the verifier's own RPC, not the node's word). */
  rpcUrl: string;
  chain?: Chain;
  deployment: Deployment;
  /** Nodes that serve the bundles and the datanet version exports (everything they send is checked). */
  sources: readonly string[];
  /** Where the verifier keeps its projection of the chain, bundles and indexes (default: a temporary folder, removed after). */
  workDir?: string;
  fetch?: typeof fetch;
  onProgress?: (event: VerifyProgress | { step: "chain"; fromBlock: number; head: number }) => void;
};

/** What {@link verifyEpochLocally} found: the report on chain and the recomputation's verdict. */
export type VerifyEpochLocallyReturnType = { onChain: OnChainReport; verification: BundleVerification };

/**
 * Verifies an epoch without trusting any node: a throwaway verifier (its own database, its own projection of
 * the chain, indexed here from `rpcUrl`, and a random key that never sends anything) reads the report Settlement
 * accepted, downloads the bundle and the datanet version exports from `sources` (checked against the CIDs and
 * roots on chain) and runs the node's one verifier (`verifyReportFromSources` → `verifyBundle`) on them.
 * `tributary epoch verify` runs this.
 *
 * @throws {ApiError} 404 `EPOCH_NOT_ON_CHAIN`; 502 `BUNDLE_UNAVAILABLE` when no source serves the bundle.
 *
 * @example
 * const { verification } = await verifyEpochLocally({ epoch: 3n, rpcUrl, deployment, sources: [nodeUrl] });
 */
export async function verifyEpochLocally(
  params: VerifyEpochLocallyParameters,
): Promise<VerifyEpochLocallyReturnType> {
  const workDir = params.workDir ?? mkdtempSync(join(tmpdir(), "tributary-verify-"));
  const node = await createNode({
    dataDir: workDir,
    log: () => {},
    chain: {
      rpcUrl: params.rpcUrl,
      deployment: params.deployment,
      account: privateKeyToAccount(generatePrivateKey()),
      ...(params.chain ? { chain: params.chain } : {}),
      pollIntervalMs: 0,
    },
  });
  try {
    const chain = node.ctx.chain!;
    const onChain = await onChainReport(chain, params.epoch);
    if (!onChain) {
      throw new ApiError(
        404,
        "EPOCH_NOT_ON_CHAIN",
        `Settlement has no report for epoch ${params.epoch}`,
        "Only submitted epochs can be verified; `tributary epoch list` shows them.",
      );
    }
    const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
    params.onProgress?.({ step: "chain", fromBlock: params.deployment.startBlock ?? 0, head });
    await catchUpIndexer(chain);
    const verification = await verifyReportFromSources(node.ctx, chain, {
      report: onChain.report,
      sources: params.sources,
      fetch: params.fetch,
      onProgress: params.onProgress,
    });
    return { onChain, verification };
  } finally {
    await node.stop();
    if (!params.workDir) rmSync(workDir, { recursive: true, force: true });
  }
}
