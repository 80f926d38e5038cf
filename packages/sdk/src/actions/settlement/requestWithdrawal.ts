import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link requestWithdrawal} (none). */
export type RequestWithdrawalParameters = Record<string, never>;

/** Result of {@link requestWithdrawal}: the transaction and its receipt. */
export type RequestWithdrawalReturnType = WriteResult;

/** Thrown by {@link requestWithdrawal}: a `ContractRevertError` (`SettlementWithdrawalAlreadyRequested`) or an RPC error. */
export type RequestWithdrawalErrorType = TributaryError;

/**
 * Starts the wallet's withdrawal: the gateway stops serving it; after the withdrawal delay, once a report submitted after now is finalized, {@link withdraw} pays out the unspent credit.
 *
 * @example
 * const { receipt } = await requestWithdrawal(client, {});
 */
export async function requestWithdrawal(
  client: TributaryClient,
  _params: RequestWithdrawalParameters = {},
): Promise<RequestWithdrawalReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "requestWithdrawal",
  });
}
