import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getAttestors} (none). */
export type GetAttestorsParameters = Record<string, never>;

/** Result of {@link getAttestors}. */
export type GetAttestorsReturnType = readonly Address[];

/** Thrown by {@link getAttestors}: an RPC error. */
export type GetAttestorsErrorType = TributaryError;

/**
 * The current attestors.
 *
 * @example
 * const value = await getAttestors(client, {});
 */
export async function getAttestors(
  client: TributaryClient,
  _params: GetAttestorsParameters = {},
): Promise<GetAttestorsReturnType> {
  return readContract<GetAttestorsReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "attestors",
  });
}
