import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getModelVersionCount}. */
export type GetModelVersionCountParameters = {
  /** Model id. */
  modelId: bigint;
};

/** Return type of {@link getModelVersionCount}, as decoded from the ABI. */
export type GetModelVersionCountReturnType = ContractFunctionReturnType<
  typeof modelRegistryAbi,
  "view",
  "modelVersionCount"
>;

/** Errors of {@link getModelVersionCount}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetModelVersionCountErrorType = TributaryError;

/**
 * Number of versions of a model (`0n` for an unknown id).
 *
 * @example
 * const latest = await getModelVersionCount(client, { modelId: 1n });
 */
export async function getModelVersionCount(
  client: TributaryClient,
  params: GetModelVersionCountParameters,
): Promise<GetModelVersionCountReturnType> {
  return readContract<GetModelVersionCountReturnType>(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "modelVersionCount",
    args: [params.modelId],
  });
}
