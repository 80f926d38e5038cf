import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link vetoEpoch}. */
export type VetoEpochParameters = {
  /** Epoch of the pending report. */
  epoch: bigint;
  /** Why, for the record (emitted in `EpochVetoed`). */
  reason: string;
};

/** Result of {@link vetoEpoch}: the transaction and its receipt. */
export type VetoEpochReturnType = WriteResult;

/** Thrown by {@link vetoEpoch}: a `ContractRevertError` (`SettlementNotGuardian`, `SettlementEpochNotPending`, `SettlementChallengeWindowClosed`) or an RPC error. */
export type VetoEpochErrorType = TributaryError;

/**
 * Vetoes the pending report of `epoch` during its challenge window (guardian only); the epoch number can then be submitted again with a different report.
 *
 * @example
 * const { receipt } = await vetoEpoch(client, { epoch: 3n, reason: "rewards root does not match the bundle" });
 */
export async function vetoEpoch(
  client: TributaryClient,
  params: VetoEpochParameters,
): Promise<VetoEpochReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "vetoEpoch",
    args: [params.epoch, params.reason],
  });
}
