import { settlementAbi } from "@tributary/abi";
import type { Hex } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import type { EpochReport } from "./epochReportTypedData.ts";

/** Parameters of {@link hashEpochReport}. */
export type HashEpochReportParameters = { report: EpochReport };

/** Result of {@link hashEpochReport}: the EIP-712 digest. */
export type HashEpochReportReturnType = Hex;

/** Thrown by {@link hashEpochReport}: an RPC error. */
export type HashEpochReportErrorType = TributaryError;

/**
 * The EIP-712 digest Settlement expects attestors to sign for `report`, as computed by the contract
 * (use `hashEpochReportOffline` to compute it without a call).
 *
 * @example
 * const digest = await hashEpochReport(client, { report });
 */
export async function hashEpochReport(
  client: TributaryClient,
  params: HashEpochReportParameters,
): Promise<HashEpochReportReturnType> {
  return readContract<Hex>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "hashEpochReport",
    args: [params.report],
  });
}
