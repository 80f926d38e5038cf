import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link isModelDeprecated}. */
export type IsModelDeprecatedParameters = {
  /** Model id. */
  modelId: bigint;
};

/** Return type of {@link isModelDeprecated}, as decoded from the ABI. */
export type IsModelDeprecatedReturnType = ContractFunctionReturnType<
  typeof modelRegistryAbi,
  "view",
  "isDeprecated"
>;

/** Errors of {@link isModelDeprecated}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type IsModelDeprecatedErrorType = TributaryError;

/**
 * Whether a model is deprecated. Reverts with `ModelRegistryModelNotFound` for an unknown id.
 *
 * @example
 * if (await isModelDeprecated(client, { modelId: 1n })) { … }
 */
export async function isModelDeprecated(
  client: TributaryClient,
  params: IsModelDeprecatedParameters,
): Promise<IsModelDeprecatedReturnType> {
  return readContract<IsModelDeprecatedReturnType>(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "isDeprecated",
    args: [params.modelId],
  });
}
