import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getWithdrawalRequestedAt}. */
export type GetWithdrawalRequestedAtParameters = {
  /** Payer account. */
  payer: Address;
};

/** Result of {@link getWithdrawalRequestedAt}. */
export type GetWithdrawalRequestedAtReturnType = bigint;

/** Thrown by {@link getWithdrawalRequestedAt}: an RPC error. */
export type GetWithdrawalRequestedAtErrorType = TributaryError;

/**
 * When `payer` requested its pending withdrawal (unix seconds), `0n` when none. The gateway must not serve a payer with a pending request.
 *
 * @example
 * const value = await getWithdrawalRequestedAt(client, { payer });
 */
export async function getWithdrawalRequestedAt(
  client: TributaryClient,
  params: GetWithdrawalRequestedAtParameters,
): Promise<GetWithdrawalRequestedAtReturnType> {
  return readContract<GetWithdrawalRequestedAtReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "withdrawalRequestedAt",
    args: [params.payer],
  });
}
