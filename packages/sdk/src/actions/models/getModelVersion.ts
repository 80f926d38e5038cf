import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getModelVersion}. */
export type GetModelVersionParameters = {
  /** Model id. */
  modelId: bigint;
  /** Version, from 1. */
  version: bigint;
};

/** Return type of {@link getModelVersion}, as decoded from the ABI. */
export type GetModelVersionReturnType = ContractFunctionReturnType<
  typeof modelRegistryAbi,
  "view",
  "getModelVersion"
>;

/** Errors of {@link getModelVersion}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetModelVersionErrorType = TributaryError;

/**
 * One version of a model: artifact hash, registration time, metadata URI and trained-on datanet versions.
 *
 * @example
 * const { trainedOn } = await getModelVersion(client, { modelId: 1n, version: 1n });
 */
export async function getModelVersion(
  client: TributaryClient,
  params: GetModelVersionParameters,
): Promise<GetModelVersionReturnType> {
  return readContract<GetModelVersionReturnType>(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "getModelVersion",
    args: [params.modelId, params.version],
  });
}
