import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link isAttestor}. */
export type IsAttestorParameters = {
  /** Account to check. */
  account: Address;
};

/** Result of {@link isAttestor}. */
export type IsAttestorReturnType = boolean;

/** Thrown by {@link isAttestor}: an RPC error. */
export type IsAttestorErrorType = TributaryError;

/**
 * Whether `account` may sign epoch reports.
 *
 * @example
 * const value = await isAttestor(client, { account });
 */
export async function isAttestor(
  client: TributaryClient,
  params: IsAttestorParameters,
): Promise<IsAttestorReturnType> {
  return readContract<IsAttestorReturnType>(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "isAttestor",
    args: [params.account],
  });
}
