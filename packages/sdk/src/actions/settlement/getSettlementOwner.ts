import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getSettlementOwner} (none). */
export type GetSettlementOwnerParameters = Record<string, never>;

/** Result of {@link getSettlementOwner}. */
export type GetSettlementOwnerReturnType = Address;

/** Thrown by {@link getSettlementOwner}: an RPC error. */
export type GetSettlementOwnerErrorType = TributaryError;

/**
 * The Settlement owner.
 *
 * @example
 * const value = await getSettlementOwner(client, {});
 */
export async function getSettlementOwner(
  client: TributaryClient,
  _params: GetSettlementOwnerParameters = {},
): Promise<GetSettlementOwnerReturnType> {
  return readContract<GetSettlementOwnerReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "owner",
  });
}
