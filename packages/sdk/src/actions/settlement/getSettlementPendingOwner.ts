import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getSettlementPendingOwner} (none). */
export type GetSettlementPendingOwnerParameters = Record<string, never>;

/** Result of {@link getSettlementPendingOwner}. */
export type GetSettlementPendingOwnerReturnType = Address;

/** Thrown by {@link getSettlementPendingOwner}: an RPC error. */
export type GetSettlementPendingOwnerErrorType = TributaryError;

/**
 * The proposed Settlement owner, zero when no transfer is pending.
 *
 * @example
 * const value = await getSettlementPendingOwner(client, {});
 */
export async function getSettlementPendingOwner(
  client: TributaryClient,
  _params: GetSettlementPendingOwnerParameters = {},
): Promise<GetSettlementPendingOwnerReturnType> {
  return readContract<GetSettlementPendingOwnerReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "pendingOwner",
  });
}
