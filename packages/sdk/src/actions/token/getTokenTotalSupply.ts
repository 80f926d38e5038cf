import { tributaryTokenAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getTokenTotalSupply}, as decoded from the ABI. */
export type GetTokenTotalSupplyReturnType = ContractFunctionReturnType<
  typeof tributaryTokenAbi,
  "view",
  "totalSupply"
>;

/** Errors of {@link getTokenTotalSupply}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetTokenTotalSupplyErrorType = TributaryError;

/**
 * Total supply of the token.
 *
 * @example
 * const supply = await getTokenTotalSupply(client);
 */
export async function getTokenTotalSupply(client: TributaryClient): Promise<GetTokenTotalSupplyReturnType> {
  return readContract<GetTokenTotalSupplyReturnType>(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "totalSupply",
  });
}
