import { type Address, type Hex, hashTypedData, type TypedDataDomain } from "viem";

/** An epoch report as attestors sign it and `submitEpoch` takes it. Money is bigint. */
export type EpochReport = {
  /** Sequence number of the report, starting at 1. */
  epoch: bigint;
  /** Root of the cumulative charges tree, leaves `(payer, cumulativeCharged)`. */
  chargesRoot: Hex;
  /** Root of the cumulative rewards tree, leaves `(account, cumulativeAmount)`. */
  rewardsRoot: Hex;
  /** Sum of all charges ever made. */
  cumulativeCharged: bigint;
  /** Sum of all rewards ever earned; at most `cumulativeCharged`. */
  cumulativeRewards: bigint;
  /** Root of the epoch's receipts, for verifiers. */
  receiptsRoot: Hex;
  /** Where the epoch bundle can be downloaded. */
  bundleURI: string;
};

/** The EIP-712 types of {@link EpochReport}, field for field as `Settlement.EPOCH_REPORT_TYPEHASH`. */
export const epochReportTypes = {
  EpochReport: [
    { name: "epoch", type: "uint64" },
    { name: "chargesRoot", type: "bytes32" },
    { name: "rewardsRoot", type: "bytes32" },
    { name: "cumulativeCharged", type: "uint256" },
    { name: "cumulativeRewards", type: "uint256" },
    { name: "receiptsRoot", type: "bytes32" },
    { name: "bundleURI", type: "string" },
  ],
} as const;

/** Parameters of {@link buildEpochReportTypedData}. */
export type BuildEpochReportTypedDataParameters = {
  /** Chain the Settlement contract is on; a signature for another chain is rejected. */
  chainId: number | bigint;
  /** Settlement contract address; a signature for another contract is rejected. */
  settlement: Address;
  report: EpochReport;
};

/** The EIP-712 domain of Settlement on `chainId` at `settlement`. */
export function settlementDomain(chainId: number | bigint, settlement: Address) {
  return {
    name: "Tributary Settlement",
    version: "1",
    chainId: typeof chainId === "bigint" ? Number(chainId) : chainId,
    verifyingContract: settlement,
  } as const satisfies TypedDataDomain;
}

/**
 * Builds the EIP-712 typed data of an epoch report, ready for `signTypedData` or `hashTypedData`.
 *
 * @example
 * const typedData = buildEpochReportTypedData({ chainId: 31337, settlement, report });
 * const signature = await account.signTypedData(typedData);
 */
export function buildEpochReportTypedData(params: BuildEpochReportTypedDataParameters) {
  return {
    domain: settlementDomain(params.chainId, params.settlement),
    types: epochReportTypes,
    primaryType: "EpochReport",
    message: params.report,
  } as const;
}

/**
 * The digest attestors sign for `report`, computed offline; equal to `Settlement.hashEpochReport(report)`.
 *
 * @example
 * const digest = hashEpochReportOffline({ chainId: 31337, settlement, report });
 */
export function hashEpochReportOffline(params: BuildEpochReportTypedDataParameters): Hex {
  return hashTypedData(buildEpochReportTypedData(params));
}
