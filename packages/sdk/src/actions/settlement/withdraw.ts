import { settlementAbi } from "@tributary/abi";
import { type Hex, parseEventLogs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link withdraw}. */
export type WithdrawParameters = {
  /** The wallet's amount in the latest finalized charges tree (0n when it was never charged). */
  cumulativeCharged: bigint;
  /** Merkle proof of `(wallet, cumulativeCharged)` in that tree. */
  proof: readonly Hex[];
};

/** Result of {@link withdraw}: the transaction, the amount paid and the epoch it was proven against. */
export type WithdrawReturnType = WriteResult & { amount: bigint; epoch: bigint };

/**
 * Thrown by {@link withdraw}: a `ContractRevertError` (`SettlementWithdrawalNotRequested`,
 * `SettlementWithdrawalDelayNotElapsed`, `SettlementNoReportSinceRequest`, `SettlementInvalidProof`,
 * `SettlementNothingToWithdraw`, `SettlementWithdrawalUnbacked`) or an RPC error.
 */
export type WithdrawErrorType = TributaryError;

/**
 * Pays the wallet its unspent credit (deposits − withdrawals − proven charges) after a request, its delay,
 * and the finalization of a report submitted after the request. Clears the request: to withdraw again,
 * request again; to keep using the service, just deposit.
 *
 * @example
 * const { amount } = await withdraw(client, { cumulativeCharged, proof: chargesTree.proof(payer) });
 */
export async function withdraw(
  client: TributaryClient,
  params: WithdrawParameters,
): Promise<WithdrawReturnType> {
  const result = await writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "withdraw",
    args: [params.cumulativeCharged, params.proof],
  });
  const [event] = parseEventLogs({ abi: settlementAbi, eventName: "Withdrawn", logs: result.receipt.logs });
  if (!event) throw new Error("withdraw: Withdrawn event missing from the receipt");
  return { ...result, amount: event.args.amount, epoch: event.args.epoch };
}
