import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getModelCount}, as decoded from the ABI. */
export type GetModelCountReturnType = ContractFunctionReturnType<
  typeof modelRegistryAbi,
  "view",
  "modelCount"
>;

/** Errors of {@link getModelCount}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetModelCountErrorType = TributaryError;

/**
 * Number of models; ids are `1n..count`.
 *
 * @example
 * const count = await getModelCount(client);
 */
export async function getModelCount(client: TributaryClient): Promise<GetModelCountReturnType> {
  return readContract<GetModelCountReturnType>(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "modelCount",
  });
}
