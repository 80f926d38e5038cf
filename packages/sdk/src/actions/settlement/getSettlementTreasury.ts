import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getSettlementTreasury} (none). */
export type GetSettlementTreasuryParameters = Record<string, never>;

/** Result of {@link getSettlementTreasury}. */
export type GetSettlementTreasuryReturnType = Address;

/** Thrown by {@link getSettlementTreasury}: an RPC error. */
export type GetSettlementTreasuryErrorType = TributaryError;

/**
 * The account that receives the protocol fee.
 *
 * @example
 * const value = await getSettlementTreasury(client, {});
 */
export async function getSettlementTreasury(
  client: TributaryClient,
  _params: GetSettlementTreasuryParameters = {},
): Promise<GetSettlementTreasuryReturnType> {
  return readContract<GetSettlementTreasuryReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "treasury",
  });
}
