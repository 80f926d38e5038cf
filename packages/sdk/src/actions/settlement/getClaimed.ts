import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getClaimed}. */
export type GetClaimedParameters = {
  /** Rewarded account. */
  account: Address;
};

/** Result of {@link getClaimed}. */
export type GetClaimedReturnType = bigint;

/** Thrown by {@link getClaimed}: an RPC error. */
export type GetClaimedErrorType = TributaryError;

/**
 * All tokens ever paid to `account` by claims.
 *
 * @example
 * const value = await getClaimed(client, { account });
 */
export async function getClaimed(
  client: TributaryClient,
  params: GetClaimedParameters,
): Promise<GetClaimedReturnType> {
  return readContract<GetClaimedReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "claimed",
    args: [params.account],
  });
}
