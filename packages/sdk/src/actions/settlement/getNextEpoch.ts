import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getNextEpoch} (none). */
export type GetNextEpochParameters = Record<string, never>;

/** Result of {@link getNextEpoch}. */
export type GetNextEpochReturnType = bigint;

/** Thrown by {@link getNextEpoch}: an RPC error. */
export type GetNextEpochErrorType = TributaryError;

/**
 * The epoch number the next report must carry (accepted only when none is pending).
 *
 * @example
 * const value = await getNextEpoch(client, {});
 */
export async function getNextEpoch(
  client: TributaryClient,
  _params: GetNextEpochParameters = {},
): Promise<GetNextEpochReturnType> {
  return readContract<GetNextEpochReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "nextEpoch",
  });
}
