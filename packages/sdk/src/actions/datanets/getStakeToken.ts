import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getStakeToken}, as decoded from the ABI. */
export type GetStakeTokenReturnType = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "token">;

/** Errors of {@link getStakeToken}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetStakeTokenErrorType = TributaryError;

/**
 * The ERC20 stakes are paid in.
 *
 * @example
 * const token = await getStakeToken(client);
 */
export async function getStakeToken(client: TributaryClient): Promise<GetStakeTokenReturnType> {
  return readContract<GetStakeTokenReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "token",
  });
}
