import { settlementAbi } from "@tributary/abi";
import type { Hex } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link isVetoed}. */
export type IsVetoedParameters = {
  /** EIP-712 digest of a report. */
  digest: Hex;
};

/** Result of {@link isVetoed}. */
export type IsVetoedReturnType = boolean;

/** Thrown by {@link isVetoed}: an RPC error. */
export type IsVetoedErrorType = TributaryError;

/**
 * Whether the report with `digest` was vetoed (it can never be submitted again).
 *
 * @example
 * const value = await isVetoed(client, { digest });
 */
export async function isVetoed(
  client: TributaryClient,
  params: IsVetoedParameters,
): Promise<IsVetoedReturnType> {
  return readContract<IsVetoedReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "isVetoed",
    args: [params.digest],
  });
}
