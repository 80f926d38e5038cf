import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

import type { EpochRecord } from "./getFinalizedEpoch.ts";

export type { EpochRecord };
/** Parameters of {@link getPendingEpoch} (none). */
export type GetPendingEpochParameters = Record<string, never>;

/** Result of {@link getPendingEpoch}. */
export type GetPendingEpochReturnType = EpochRecord;

/** Thrown by {@link getPendingEpoch}: an RPC error. */
export type GetPendingEpochErrorType = TributaryError;

/**
 * The pending report of Settlement; `epoch` is 0n when there is none.
 *
 * @example
 * const { epoch, rewardsRoot } = await getPendingEpoch(client);
 */
export async function getPendingEpoch(
  client: TributaryClient,
  _params: GetPendingEpochParameters = {},
): Promise<GetPendingEpochReturnType> {
  return readContract<EpochRecord>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "pendingEpoch",
  });
}
