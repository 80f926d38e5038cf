import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getGuardian} (none). */
export type GetGuardianParameters = Record<string, never>;

/** Result of {@link getGuardian}. */
export type GetGuardianReturnType = Address;

/** Thrown by {@link getGuardian}: an RPC error. */
export type GetGuardianErrorType = TributaryError;

/**
 * The account that may veto epoch reports.
 *
 * @example
 * const value = await getGuardian(client, {});
 */
export async function getGuardian(
  client: TributaryClient,
  _params: GetGuardianParameters = {},
): Promise<GetGuardianReturnType> {
  return readContract<GetGuardianReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "guardian",
  });
}
