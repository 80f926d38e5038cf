import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getWithdrawn}. */
export type GetWithdrawnParameters = {
  /** Payer account. */
  payer: Address;
};

/** Result of {@link getWithdrawn}. */
export type GetWithdrawnReturnType = bigint;

/** Thrown by {@link getWithdrawn}: an RPC error. */
export type GetWithdrawnErrorType = TributaryError;

/**
 * All tokens ever withdrawn by `payer`.
 *
 * @example
 * const value = await getWithdrawn(client, { payer });
 */
export async function getWithdrawn(
  client: TributaryClient,
  params: GetWithdrawnParameters,
): Promise<GetWithdrawnReturnType> {
  return readContract<GetWithdrawnReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "withdrawn",
    args: [params.payer],
  });
}
