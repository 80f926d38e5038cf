import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getDeposited}. */
export type GetDepositedParameters = {
  /** Payer account. */
  payer: Address;
};

/** Result of {@link getDeposited}. */
export type GetDepositedReturnType = bigint;

/** Thrown by {@link getDeposited}: an RPC error. */
export type GetDepositedErrorType = TributaryError;

/**
 * All tokens ever deposited to the credit of `payer`.
 *
 * @example
 * const value = await getDeposited(client, { payer });
 */
export async function getDeposited(
  client: TributaryClient,
  params: GetDepositedParameters,
): Promise<GetDepositedReturnType> {
  return readContract<GetDepositedReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "deposited",
    args: [params.payer],
  });
}
