import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getTrainedOn}. */
export type GetTrainedOnParameters = {
  /** Model id. */
  modelId: bigint;
};

/** Return type of {@link getTrainedOn}, as decoded from the ABI. */
export type GetTrainedOnReturnType = ContractFunctionReturnType<
  typeof modelRegistryAbi,
  "view",
  "getTrainedOn"
>;

/** Errors of {@link getTrainedOn}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetTrainedOnErrorType = TributaryError;

/**
 * Trained-on datanet versions of a model's latest version.
 *
 * @example
 * const trainedOn = await getTrainedOn(client, { modelId: 1n });
 */
export async function getTrainedOn(
  client: TributaryClient,
  params: GetTrainedOnParameters,
): Promise<GetTrainedOnReturnType> {
  return readContract<GetTrainedOnReturnType>(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "getTrainedOn",
    args: [params.modelId],
  });
}
