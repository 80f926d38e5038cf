import { settlementAbi } from "@tributary/abi";
import { type Hex, parseEventLogs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import type { EpochReport } from "./epochReportTypedData.ts";

/** Parameters of {@link submitEpoch}. */
export type SubmitEpochParameters = {
  report: EpochReport;
  /** Signatures of distinct current attestors (see `signEpochReport`), any order, at least the quorum. */
  signatures: readonly Hex[];
};

/** Result of {@link submitEpoch}: the transaction, and the report's digest and end of its challenge window. */
export type SubmitEpochReturnType = WriteResult & { digest: Hex; challengeEndsAt: bigint };

/**
 * Thrown by {@link submitEpoch}: a `ContractRevertError` (`SettlementEpochPending`, `SettlementUnexpectedEpoch`,
 * `SettlementQuorumNotReached`, `SettlementSignerNotAttestor`, `SettlementDuplicateSigner`,
 * `SettlementChargesExceedBacking`, ...) or an RPC error.
 */
export type SubmitEpochErrorType = TributaryError;

/**
 * Relays an attestor-signed epoch report to Settlement (any wallet may relay) and starts its challenge window.
 *
 * @example
 * const signature = await signEpochReport(attestor, chainId, client.addresses.settlement, report);
 * const { digest, challengeEndsAt } = await submitEpoch(client, { report, signatures: [signature] });
 */
export async function submitEpoch(
  client: TributaryClient,
  params: SubmitEpochParameters,
): Promise<SubmitEpochReturnType> {
  const result = await writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "submitEpoch",
    args: [params.report, params.signatures],
  });
  const [event] = parseEventLogs({
    abi: settlementAbi,
    eventName: "EpochSubmitted",
    logs: result.receipt.logs,
  });
  if (!event) throw new Error("submitEpoch: EpochSubmitted event missing from the receipt");
  return { ...result, digest: event.args.digest, challengeEndsAt: event.args.challengeEndsAt };
}
