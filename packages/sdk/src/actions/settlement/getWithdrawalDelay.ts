import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getWithdrawalDelay} (none). */
export type GetWithdrawalDelayParameters = Record<string, never>;

/** Result of {@link getWithdrawalDelay}. */
export type GetWithdrawalDelayReturnType = bigint;

/** Thrown by {@link getWithdrawalDelay}: an RPC error. */
export type GetWithdrawalDelayErrorType = TributaryError;

/**
 * Seconds between a withdrawal request and the earliest withdrawal.
 *
 * @example
 * const value = await getWithdrawalDelay(client, {});
 */
export async function getWithdrawalDelay(
  client: TributaryClient,
  _params: GetWithdrawalDelayParameters = {},
): Promise<GetWithdrawalDelayReturnType> {
  return readContract<GetWithdrawalDelayReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "withdrawalDelay",
  });
}
