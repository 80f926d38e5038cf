import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link recordLineage}. */
export type RecordLineageParameters = {
  modelId: bigint;
  /** The model version the lineage describes (from 1). */
  version: bigint;
  /** sha-256 of the base model (GGUF) the version was fine-tuned from; not zero. */
  baseModelHash: Hex;
  /** sha-256 of the canonical training configuration. */
  configHash: Hex;
};

/** Return type of {@link recordLineage}: the transaction and its receipt. */
export type RecordLineageReturnType = WriteResult;

/** Errors of {@link recordLineage}: a `ContractRevertError` (`ModelRegistryLineageAlreadyRecorded`, …) or a `TributaryError`. */
export type RecordLineageErrorType = TributaryError;

/**
 * Records once how a model version was made (ModelRegistry `recordLineage`): base model hash and training config
 * hash. Only the model's owner, not when deprecated.
 *
 * @example
 * await recordLineage(client, { modelId: 3n, version: 1n, baseModelHash, configHash });
 */
export async function recordLineage(
  client: TributaryClient,
  params: RecordLineageParameters,
): Promise<RecordLineageReturnType> {
  const args = [
    params.modelId,
    params.version,
    { baseModelHash: params.baseModelHash, configHash: params.configHash },
  ] as const satisfies ContractFunctionArgs<typeof modelRegistryAbi, "nonpayable", "recordLineage">;
  return writeContractAndWait(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "recordLineage",
    args,
  });
}
