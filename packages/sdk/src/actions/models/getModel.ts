import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getModel}. */
export type GetModelParameters = {
  /** Model id. */
  modelId: bigint;
};

/** Return type of {@link getModel}, as decoded from the ABI. */
export type GetModelReturnType = ContractFunctionReturnType<typeof modelRegistryAbi, "view", "getModel">;

/** Errors of {@link getModel}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetModelErrorType = TributaryError;

/**
 * A model: owner, deprecation, version count, pricing, split, base model and its latest artifact hash and metadata URI.
 *
 * @example
 * const { pricing, split } = await getModel(client, { modelId: 1n });
 */
export async function getModel(
  client: TributaryClient,
  params: GetModelParameters,
): Promise<GetModelReturnType> {
  return readContract<GetModelReturnType>(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "getModel",
    args: [params.modelId],
  });
}
