import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link acceptSettlementOwnership} (none). */
export type AcceptSettlementOwnershipParameters = Record<string, never>;

/** Result of {@link acceptSettlementOwnership}: the transaction and its receipt. */
export type AcceptSettlementOwnershipReturnType = WriteResult;

/** Thrown by {@link acceptSettlementOwnership}: a `ContractRevertError` (`OwnableUnauthorizedAccount`) or an RPC error. */
export type AcceptSettlementOwnershipErrorType = TributaryError;

/**
 * Completes a two-step ownership transfer; the wallet must be the pending owner.
 *
 * @example
 * const { receipt } = await acceptSettlementOwnership(client, {});
 */
export async function acceptSettlementOwnership(
  client: TributaryClient,
  _params: AcceptSettlementOwnershipParameters = {},
): Promise<AcceptSettlementOwnershipReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "acceptOwnership",
  });
}
