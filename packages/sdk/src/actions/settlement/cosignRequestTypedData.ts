import { type Address, bytesToHex, type Hex, type LocalAccount } from "viem";
import { type EpochReport, hashEpochReportOffline, settlementDomain } from "./epochReportTypedData.ts";

/**
 * What an attestor node signs to ask a fellow attestor to co-sign its epoch report: the report (by its EIP-712
 * digest, which commits to every field and the bundle URI), the number of receipts its bundle holds, the URL the
 * bundle is downloaded from, when it asked, and a random nonce. Only a key in Settlement's attestor set can make a request that
 * a node answers, and only for a `nodeURL` among the node's configured peers.
 */
export type CosignRequest = {
  epoch: bigint;
  /** `hashEpochReportOffline(report)`: the digest the co-signer will sign. */
  reportDigest: Hex;
  /** The report's `bundleURI` (`tributary://bundle/<cid>`), repeated so the request names what is downloaded. */
  bundleURI: string;
  /** Receipt lines of the bundle: the co-signer stops reading past this many. */
  receiptCount: bigint;
  /** Base URL of the requesting node, from which the bundle is downloaded. */
  nodeURL: string;
  /** Unix seconds; a request older than 5 minutes, or from the future, is refused. */
  issuedAt: bigint;
  /** 32 random bytes, so two requests for the same report in the same second differ (replays are refused). */
  nonce: Hex;
};

/** The EIP-712 types of {@link CosignRequest}. */
export const cosignRequestTypes = {
  CosignRequest: [
    { name: "epoch", type: "uint64" },
    { name: "reportDigest", type: "bytes32" },
    { name: "bundleURI", type: "string" },
    { name: "receiptCount", type: "uint64" },
    { name: "nodeURL", type: "string" },
    { name: "issuedAt", type: "uint64" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** Parameters of {@link buildCosignRequestTypedData}. */
export type BuildCosignRequestTypedDataParameters = {
  chainId: number | bigint;
  settlement: Address;
  request: CosignRequest;
};

/**
 * The EIP-712 typed data of a co-sign request, in Settlement's domain on `chainId` (its primary type differs
 * from `EpochReport`, so a request signature can never pass for a report signature).
 *
 * @example
 * const signature = await account.signTypedData(buildCosignRequestTypedData({ chainId, settlement, request }));
 */
export function buildCosignRequestTypedData(params: BuildCosignRequestTypedDataParameters) {
  return {
    domain: settlementDomain(params.chainId, params.settlement),
    types: cosignRequestTypes,
    primaryType: "CosignRequest",
    message: params.request,
  } as const;
}

/**
 * Builds and signs the co-sign request of `report` as `account` (an attestor), issued now.
 *
 * @example
 * const request = await signCosignRequest(account, { chainId, settlement, report, receiptCount: 2n, nodeURL });
 * await fetch(`${peer}/v1/epochs/${report.epoch}/cosign`, { method: "POST", body: JSON.stringify(cosignBody(report, request)) });
 */
export async function signCosignRequest(
  account: Pick<LocalAccount, "address" | "signTypedData">,
  params: {
    chainId: number | bigint;
    settlement: Address;
    report: EpochReport;
    receiptCount: bigint;
    nodeURL: string;
    issuedAt?: bigint;
    nonce?: Hex;
  },
): Promise<{ request: CosignRequest; signer: Address; signature: Hex }> {
  const request: CosignRequest = {
    epoch: params.report.epoch,
    reportDigest: hashEpochReportOffline({
      chainId: params.chainId,
      settlement: params.settlement,
      report: params.report,
    }),
    bundleURI: params.report.bundleURI,
    receiptCount: params.receiptCount,
    nodeURL: params.nodeURL,
    issuedAt: params.issuedAt ?? BigInt(Math.floor(Date.now() / 1000)),
    nonce: params.nonce ?? bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
  };
  const signature = await account.signTypedData(
    buildCosignRequestTypedData({ chainId: params.chainId, settlement: params.settlement, request }),
  );
  return { request, signer: account.address, signature };
}

/** The JSON body of `POST /v1/epochs/:epoch/cosign` (amounts and numbers as decimal strings). */
export type CosignRequestBody = {
  report: {
    epoch: string;
    chargesRoot: Hex;
    rewardsRoot: Hex;
    cumulativeCharged: string;
    cumulativeRewards: string;
    receiptsRoot: Hex;
    bundleURI: string;
  };
  nodeURL: string;
  receiptCount: string;
  issuedAt: string;
  nonce: Hex;
  signer: Address;
  signature: Hex;
};

/**
 * The body a node sends to ask a peer to co-sign `report`, from a request signed with {@link signCosignRequest}.
 *
 * @example
 * const body = cosignRequestBody(report, await signCosignRequest(account, { chainId, settlement, report, receiptCount, nodeURL }));
 */
export function cosignRequestBody(
  report: EpochReport,
  signed: { request: CosignRequest; signer: Address; signature: Hex },
): CosignRequestBody {
  return {
    report: {
      epoch: report.epoch.toString(),
      chargesRoot: report.chargesRoot,
      rewardsRoot: report.rewardsRoot,
      cumulativeCharged: report.cumulativeCharged.toString(),
      cumulativeRewards: report.cumulativeRewards.toString(),
      receiptsRoot: report.receiptsRoot,
      bundleURI: report.bundleURI,
    },
    nodeURL: signed.request.nodeURL,
    receiptCount: signed.request.receiptCount.toString(),
    issuedAt: signed.request.issuedAt.toString(),
    nonce: signed.request.nonce,
    signer: signed.signer,
    signature: signed.signature,
  };
}
