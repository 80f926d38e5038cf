import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getTotalDeposited} (none). */
export type GetTotalDepositedParameters = Record<string, never>;

/** Result of {@link getTotalDeposited}. */
export type GetTotalDepositedReturnType = bigint;

/** Thrown by {@link getTotalDeposited}: an RPC error. */
export type GetTotalDepositedErrorType = TributaryError;

/**
 * All tokens ever deposited into Settlement.
 *
 * @example
 * const value = await getTotalDeposited(client, {});
 */
export async function getTotalDeposited(
  client: TributaryClient,
  _params: GetTotalDepositedParameters = {},
): Promise<GetTotalDepositedReturnType> {
  return readContract<GetTotalDepositedReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "totalDeposited",
  });
}
