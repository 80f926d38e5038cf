import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link finalizeEpoch}. */
export type FinalizeEpochParameters = {
  /** Epoch of the pending report. */
  epoch: bigint;
};

/** Result of {@link finalizeEpoch}: the transaction and its receipt. */
export type FinalizeEpochReturnType = WriteResult;

/** Thrown by {@link finalizeEpoch}: a `ContractRevertError` (`SettlementEpochNotPending`, `SettlementChallengeWindowOpen`) or an RPC error. */
export type FinalizeEpochErrorType = TributaryError;

/**
 * Finalizes the pending report of `epoch` once its challenge window has ended; anyone may call it. Claims and withdrawals are then proven against its trees.
 *
 * @example
 * const { receipt } = await finalizeEpoch(client, { epoch: 3n });
 */
export async function finalizeEpoch(
  client: TributaryClient,
  params: FinalizeEpochParameters,
): Promise<FinalizeEpochReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "finalizeEpoch",
    args: [params.epoch],
  });
}
