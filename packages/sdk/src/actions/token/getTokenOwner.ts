import { tributaryTokenAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getTokenOwner}, as decoded from the ABI. */
export type GetTokenOwnerReturnType = ContractFunctionReturnType<typeof tributaryTokenAbi, "view", "owner">;

/** Errors of {@link getTokenOwner}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetTokenOwnerErrorType = TributaryError;

/**
 * Owner of TributaryToken, the only account that may mint.
 *
 * @example
 * const owner = await getTokenOwner(client);
 */
export async function getTokenOwner(client: TributaryClient): Promise<GetTokenOwnerReturnType> {
  return readContract<GetTokenOwnerReturnType>(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "owner",
  });
}
