import { settlementAbi } from "@tributary/abi";
import type { Hex } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** A report as Settlement keeps it (pending or finalized). `epoch` is 0n when there is none. */
export type EpochRecord = {
  epoch: bigint;
  submittedAt: bigint;
  /** First timestamp at which the report can be finalized. */
  challengeEndsAt: bigint;
  /** 0n while pending. */
  finalizedAt: bigint;
  chargesRoot: Hex;
  rewardsRoot: Hex;
  cumulativeCharged: bigint;
  cumulativeRewards: bigint;
  /** EIP-712 digest the attestors signed. */
  digest: Hex;
};

/** Parameters of {@link getFinalizedEpoch} (none). */
export type GetFinalizedEpochParameters = Record<string, never>;

/** Result of {@link getFinalizedEpoch}. */
export type GetFinalizedEpochReturnType = EpochRecord;

/** Thrown by {@link getFinalizedEpoch}: an RPC error. */
export type GetFinalizedEpochErrorType = TributaryError;

/**
 * The finalized report of Settlement; `epoch` is 0n when there is none.
 *
 * @example
 * const { epoch, rewardsRoot } = await getFinalizedEpoch(client);
 */
export async function getFinalizedEpoch(
  client: TributaryClient,
  _params: GetFinalizedEpochParameters = {},
): Promise<GetFinalizedEpochReturnType> {
  return readContract<EpochRecord>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "finalizedEpoch",
  });
}
