import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getLineage}. */
export type GetLineageParameters = {
  /** Model id. */
  modelId: bigint;
  /** Version, from 1. */
  version: bigint;
};

/** Return type of {@link getLineage}: `{ baseModelHash, configHash }` (zero hashes when none was recorded). */
export type GetLineageReturnType = ContractFunctionReturnType<typeof modelRegistryAbi, "view", "getLineage">;

/** Errors of {@link getLineage}: a `ContractRevertError` (unknown model or version) or a `TributaryError`. */
export type GetLineageErrorType = TributaryError;

/**
 * The lineage of a model version: the sha-256 of the base model it was fine-tuned from and of its training config.
 *
 * @example
 * const { baseModelHash, configHash } = await getLineage(client, { modelId: 1n, version: 1n });
 */
export async function getLineage(
  client: TributaryClient,
  params: GetLineageParameters,
): Promise<GetLineageReturnType> {
  return readContract<GetLineageReturnType>(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "getLineage",
    args: [params.modelId, params.version],
  });
}
