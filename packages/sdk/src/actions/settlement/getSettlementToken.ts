import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getSettlementToken} (none). */
export type GetSettlementTokenParameters = Record<string, never>;

/** Result of {@link getSettlementToken}. */
export type GetSettlementTokenReturnType = Address;

/** Thrown by {@link getSettlementToken}: an RPC error. */
export type GetSettlementTokenErrorType = TributaryError;

/**
 * The ERC20 Settlement holds.
 *
 * @example
 * const value = await getSettlementToken(client, {});
 */
export async function getSettlementToken(
  client: TributaryClient,
  _params: GetSettlementTokenParameters = {},
): Promise<GetSettlementTokenReturnType> {
  return readContract<GetSettlementTokenReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "token",
  });
}
