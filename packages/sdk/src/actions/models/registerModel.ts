import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { firstEventArgs } from "../datanets/internal/eventArgs.ts";
import type { ModelPricing, ModelSplit, TrainedOn } from "./types.ts";

/** Parameters of {@link registerModel}. */
export type RegisterModelParameters = {
  /** Where the model card (description, training recipe, provenance manifest) is stored. */
  metadataURI: string;
  /** Hash of the weights or index files (non-zero). */
  artifactHash: Hex;
  /** Base model name, e.g. `"infinigram"`. */
  baseModel: string;
  /** Published datanet versions it was trained on; required when `split.dataBps > 0`. */
  trainedOn: readonly TrainedOn[];
  /** Price per call and per 1000 output tokens, in token units. */
  pricing: ModelPricing;
  /** Owner and data shares of the price after the protocol fee; they sum to 10000. */
  split: ModelSplit;
};

/** Return type of {@link registerModel}: the transaction plus what its `ModelRegistered` event says. */
export type RegisterModelReturnType = WriteResult & { modelId: bigint };

/** Errors of {@link registerModel}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type RegisterModelErrorType = TributaryError;

/**
 * Registers a model owned by the wallet's account, as version 1, and returns its id.
 *
 * @example
 * const { modelId } = await registerModel(client, {
 *   metadataURI: "ipfs://…", artifactHash, baseModel: "infinigram",
 *   trainedOn: [{ datanetId: 1n, version: 1n }],
 *   pricing: { perCall: 10n ** 15n, per1kOutputTokens: 10n ** 16n, per1kInputTokens: 10n ** 15n },
 *   split: { ownerBps: 3000, dataBps: 7000 },
 * });
 */
export async function registerModel(
  client: TributaryClient,
  params: RegisterModelParameters,
): Promise<RegisterModelReturnType> {
  const args = [
    params.metadataURI,
    params.artifactHash,
    params.baseModel,
    params.trainedOn,
    params.pricing,
    params.split,
  ] as const satisfies ContractFunctionArgs<typeof modelRegistryAbi, "nonpayable", "registerModel">;
  const result = await writeContractAndWait(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "registerModel",
    args,
  });
  const event = firstEventArgs(
    result.receipt,
    modelRegistryAbi,
    client.addresses.modelRegistry,
    "ModelRegistered",
  );
  return { ...result, modelId: event.modelId };
}
