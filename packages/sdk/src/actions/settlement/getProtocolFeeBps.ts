import { settlementAbi } from "@tributary/abi";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getProtocolFeeBps} (none). */
export type GetProtocolFeeBpsParameters = Record<string, never>;

/** Result of {@link getProtocolFeeBps}. */
export type GetProtocolFeeBpsReturnType = number;

/** Thrown by {@link getProtocolFeeBps}: an RPC error. */
export type GetProtocolFeeBpsErrorType = TributaryError;

/**
 * Protocol share of every fee, in basis points.
 *
 * @example
 * const value = await getProtocolFeeBps(client, {});
 */
export async function getProtocolFeeBps(
  client: TributaryClient,
  _params: GetProtocolFeeBpsParameters = {},
): Promise<GetProtocolFeeBpsReturnType> {
  return readContract<GetProtocolFeeBpsReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "protocolFeeBps",
  });
}
