import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link deprecateModel}. */
export type DeprecateModelParameters = {
  /** Model. */
  modelId: bigint;
};

/** Return type of {@link deprecateModel}: the transaction and its receipt. */
export type DeprecateModelReturnType = WriteResult;

/** Errors of {@link deprecateModel}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type DeprecateModelErrorType = TributaryError;

/**
 * Deprecates a model for good: agents can no longer allow it, and it can no longer be changed. Only the owner.
 *
 * @example
 * await deprecateModel(client, { modelId: 1n });
 */
export async function deprecateModel(
  client: TributaryClient,
  params: DeprecateModelParameters,
): Promise<DeprecateModelReturnType> {
  const args = [params.modelId] as const satisfies ContractFunctionArgs<
    typeof modelRegistryAbi,
    "nonpayable",
    "deprecate"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "deprecate",
    args,
  });
  return result;
}
