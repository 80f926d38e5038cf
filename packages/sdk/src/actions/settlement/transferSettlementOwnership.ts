import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link transferSettlementOwnership}. */
export type TransferSettlementOwnershipParameters = {
  /** Proposed owner; it must call {@link acceptSettlementOwnership}. */
  newOwner: Address;
};

/** Result of {@link transferSettlementOwnership}: the transaction and its receipt. */
export type TransferSettlementOwnershipReturnType = WriteResult;

/** Thrown by {@link transferSettlementOwnership}: a `ContractRevertError` (`OwnableUnauthorizedAccount`) or an RPC error. */
export type TransferSettlementOwnershipErrorType = TributaryError;

/**
 * Starts a two-step transfer of the Settlement ownership (owner only).
 *
 * @example
 * const { receipt } = await transferSettlementOwnership(client, { newOwner });
 */
export async function transferSettlementOwnership(
  client: TributaryClient,
  params: TransferSettlementOwnershipParameters,
): Promise<TransferSettlementOwnershipReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "transferOwnership",
    args: [params.newOwner],
  });
}
