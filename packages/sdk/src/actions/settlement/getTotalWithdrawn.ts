import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getTotalWithdrawn} (none). */
export type GetTotalWithdrawnParameters = Record<string, never>;

/** Result of {@link getTotalWithdrawn}. */
export type GetTotalWithdrawnReturnType = bigint;

/** Thrown by {@link getTotalWithdrawn}: an RPC error. */
export type GetTotalWithdrawnErrorType = TributaryError;

/**
 * All tokens ever withdrawn by payers.
 *
 * @example
 * const value = await getTotalWithdrawn(client, {});
 */
export async function getTotalWithdrawn(
  client: TributaryClient,
  _params: GetTotalWithdrawnParameters = {},
): Promise<GetTotalWithdrawnReturnType> {
  return readContract<GetTotalWithdrawnReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "totalWithdrawn",
  });
}
