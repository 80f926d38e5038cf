import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link setWithdrawalDelay}. */
export type SetWithdrawalDelayParameters = {
  /** Seconds between a withdrawal request and the withdrawal (at most 30 days). */
  delay: bigint;
};

/** Result of {@link setWithdrawalDelay}: the transaction and its receipt. */
export type SetWithdrawalDelayReturnType = WriteResult;

/** Thrown by {@link setWithdrawalDelay}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementDurationTooLong`) or an RPC error. */
export type SetWithdrawalDelayErrorType = TributaryError;

/**
 * Sets the withdrawal delay (Settlement owner only).
 *
 * @example
 * const { receipt } = await setWithdrawalDelay(client, { delay: 86_400n });
 */
export async function setWithdrawalDelay(
  client: TributaryClient,
  params: SetWithdrawalDelayParameters,
): Promise<SetWithdrawalDelayReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "setWithdrawalDelay",
    args: [params.delay],
  });
}
