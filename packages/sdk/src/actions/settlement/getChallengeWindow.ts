import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getChallengeWindow} (none). */
export type GetChallengeWindowParameters = Record<string, never>;

/** Result of {@link getChallengeWindow}. */
export type GetChallengeWindowReturnType = bigint;

/** Thrown by {@link getChallengeWindow}: an RPC error. */
export type GetChallengeWindowErrorType = TributaryError;

/**
 * Seconds a report waits before it can be finalized.
 *
 * @example
 * const value = await getChallengeWindow(client, {});
 */
export async function getChallengeWindow(
  client: TributaryClient,
  _params: GetChallengeWindowParameters = {},
): Promise<GetChallengeWindowReturnType> {
  return readContract<GetChallengeWindowReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "challengeWindow",
  });
}
