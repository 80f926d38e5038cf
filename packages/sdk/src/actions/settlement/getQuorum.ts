import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getQuorum} (none). */
export type GetQuorumParameters = Record<string, never>;

/** Result of {@link getQuorum}. */
export type GetQuorumReturnType = bigint;

/** Thrown by {@link getQuorum}: an RPC error. */
export type GetQuorumErrorType = TributaryError;

/**
 * Distinct attestor signatures a report needs.
 *
 * @example
 * const value = await getQuorum(client, {});
 */
export async function getQuorum(
  client: TributaryClient,
  _params: GetQuorumParameters = {},
): Promise<GetQuorumReturnType> {
  return readContract<GetQuorumReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "quorum",
  });
}
