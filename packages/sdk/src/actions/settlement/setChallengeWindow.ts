import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link setChallengeWindow}. */
export type SetChallengeWindowParameters = {
  /** Seconds a report waits before it can be finalized (at most 30 days). */
  window: bigint;
};

/** Result of {@link setChallengeWindow}: the transaction and its receipt. */
export type SetChallengeWindowReturnType = WriteResult;

/** Thrown by {@link setChallengeWindow}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementDurationTooLong`) or an RPC error. */
export type SetChallengeWindowErrorType = TributaryError;

/**
 * Sets the challenge window of reports submitted from now on (Settlement owner only).
 *
 * @example
 * const { receipt } = await setChallengeWindow(client, { window: 3600n });
 */
export async function setChallengeWindow(
  client: TributaryClient,
  params: SetChallengeWindowParameters,
): Promise<SetChallengeWindowReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "setChallengeWindow",
    args: [params.window],
  });
}
