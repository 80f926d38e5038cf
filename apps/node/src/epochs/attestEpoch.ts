import {
  buildEpochReportTypedData,
  cosignRequestBody,
  getQuorum,
  isAttestor,
  signCosignRequest,
  signEpochReport,
} from "@tributary/sdk";
import { type Address, getAddress, type Hex, recoverTypedDataAddress } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import type { EpochRow } from "../db/schema.ts";
import { fetchLimited, JSON_LIMITS } from "../net/fetchLimited.ts";
import { type Attestation, getEpochRow, updateEpoch } from "./epochRecords.ts";
import { failpoint } from "./failpoint.ts";
import { digestOf, reportOf } from "./reportOf.ts";

/**
 * A peer verifies the whole bundle before it answers a co-sign request, so its answer may take as long as a
 * verification; the answer itself is a small JSON object.
 */
const COSIGN_LIMITS = { ...JSON_LIMITS, headersTimeoutMs: 30 * 60_000, totalTimeoutMs: 30 * 60_000 };

/** How the closing node reaches its fellow attestors. */
export type AttestOptions = {
  /** Base URLs of other attestors' nodes (`https://node-b.example`), asked in order until the quorum is met. */
  peers: readonly string[];
  /** This node's own base URL, from which peers download the bundle (`GET /v1/bundles/:cid`). */
  publicUrl: () => string | undefined;
  fetch: typeof fetch;
};

/** The cause of a `QUORUM_NOT_REACHED` error: the codes of the peers' refusals. */
export type QuorumRefusal = { refusedCodes: string[] };

/**
 * Step 3 of a close: signs the report with the node's attestor key and, when Settlement's quorum needs
 * more, asks peer attestors to co-sign (each verifies the bundle first; see `cosignReport`). Checks every
 * signature it gets (recovered signer = claimed signer, a current attestor, not twice). With enough, the
 * epoch becomes `signed`; without, nothing is submitted and the error lists why each peer refused.
 */
export async function attestEpoch(
  ctx: NodeContext,
  chain: ChainContext,
  row: EpochRow,
  options: AttestOptions,
): Promise<EpochRow> {
  const report = reportOf(row);
  const settlement = chain.deployment.contracts.settlement;
  const account = chain.walletClient.account as unknown as Parameters<typeof signEpochReport>[0];
  const own: Attestation = {
    signer: getAddress(chain.walletClient.account.address),
    signature: await signEpochReport(account, chain.chainId, settlement, report),
  };
  const quorum = Number(await getQuorum(chain.sdk));
  const attestations: Attestation[] = [];
  if (await isAttestor(chain.sdk, { account: own.signer })) attestations.push(own);
  const refusals: string[] = [];
  /** Error codes of the peers that answered a refusal (`BUNDLE_MISMATCH`: they verified and found differences). */
  const refusedCodes: string[] = [];
  const typedData = buildEpochReportTypedData({ chainId: chain.chainId, settlement, report });
  const publicUrl = options.publicUrl();
  for (const peer of options.peers) {
    if (attestations.length >= quorum) break;
    if (!publicUrl) {
      refusals.push(`${peer}: this node has no public URL for peers to download the bundle from`);
      continue;
    }
    try {
      // A fresh signed request per peer and attempt: peers answer only attestors, and refuse replays.
      const request = await signCosignRequest(account, {
        chainId: chain.chainId,
        settlement,
        report,
        receiptCount: BigInt(row.receipt_count),
        nodeURL: publicUrl,
      });
      const res = await fetchLimited(`${peer.replace(/\/+$/, "")}/v1/epochs/${row.epoch}/cosign`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(cosignRequestBody(report, request)),
        limits: COSIGN_LIMITS,
        fetch: options.fetch,
      });
      const body = await res
        .json<{
          signer?: string;
          signature?: Hex;
          error?: { code: string; message: string };
        }>()
        .catch(() => ({}) as { signer?: string; signature?: Hex; error?: { code: string; message: string } });
      if (!res.ok || !body.signature || !body.signer) {
        if (body.error?.code) refusedCodes.push(body.error.code);
        refusals.push(
          `${peer}: ${body.error ? `${body.error.code} ${body.error.message}` : `HTTP ${res.status}`}`,
        );
        continue;
      }
      const signer = await recoverTypedDataAddress({ ...typedData, signature: body.signature });
      if (signer.toLowerCase() !== body.signer.toLowerCase()) {
        refusals.push(`${peer}: its signature recovers to ${signer}, not ${body.signer}`);
        continue;
      }
      if (attestations.some((a) => a.signer.toLowerCase() === signer.toLowerCase())) continue;
      if (!(await isAttestor(chain.sdk, { account: signer as Address }))) {
        refusals.push(`${peer}: ${signer} is not an attestor of Settlement`);
        continue;
      }
      attestations.push({ signer: getAddress(signer), signature: body.signature });
    } catch (error) {
      refusals.push(`${peer}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (attestations.length < quorum) {
    throw new ApiError(
      503,
      "QUORUM_NOT_REACHED",
      `epoch ${row.epoch} has ${attestations.length} of ${quorum} attestor signatures${refusals.length ? `; refused: ${refusals.join("; ")}` : ""}`,
      "Nothing was submitted. Check the peers' verification (POST /v1/epochs/:epoch/verify on each) and retry the close.",
      { cause: { refusedCodes } satisfies QuorumRefusal },
    );
  }
  await updateEpoch(ctx, row.epoch, {
    status: "signed",
    digest: digestOf(chain, report),
    signatures: JSON.stringify(attestations.slice(0, Math.max(quorum, 1))),
  });
  failpoint("after-sign");
  return (await getEpochRow(ctx, row.epoch)) as EpochRow;
}
