import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link cancelWithdrawal} (none). */
export type CancelWithdrawalParameters = Record<string, never>;

/** Result of {@link cancelWithdrawal}: the transaction and its receipt. */
export type CancelWithdrawalReturnType = WriteResult;

/** Thrown by {@link cancelWithdrawal}: a `ContractRevertError` (`SettlementWithdrawalNotRequested`) or an RPC error. */
export type CancelWithdrawalErrorType = TributaryError;

/**
 * Cancels the wallet's pending withdrawal request, so the gateway serves it again.
 *
 * @example
 * const { receipt } = await cancelWithdrawal(client, {});
 */
export async function cancelWithdrawal(
  client: TributaryClient,
  _params: CancelWithdrawalParameters = {},
): Promise<CancelWithdrawalReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "cancelWithdrawal",
  });
}
