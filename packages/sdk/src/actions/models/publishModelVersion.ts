import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { firstEventArgs } from "../datanets/internal/eventArgs.ts";
import type { TrainedOn } from "./types.ts";

/** Parameters of {@link publishModelVersion}. */
export type PublishModelVersionParameters = {
  /** Model. */
  modelId: bigint;
  /** Hash of the new weights or index files. */
  artifactHash: Hex;
  /** Model card of this version. */
  metadataURI: string;
  /** Datanet versions this version was trained on. */
  trainedOn: readonly TrainedOn[];
};

/** Return type of {@link publishModelVersion}: the transaction plus what its `ModelVersionPublished` event says. */
export type PublishModelVersionReturnType = WriteResult & { version: bigint };

/** Errors of {@link publishModelVersion}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type PublishModelVersionErrorType = TributaryError;

/**
 * Publishes a new version of a model and returns its number. Only the owner, not when deprecated.
 *
 * @example
 * const { version } = await publishModelVersion(client, { modelId: 1n, artifactHash, metadataURI: "ipfs://…", trainedOn: [{ datanetId: 1n, version: 2n }] });
 */
export async function publishModelVersion(
  client: TributaryClient,
  params: PublishModelVersionParameters,
): Promise<PublishModelVersionReturnType> {
  const args = [
    params.modelId,
    params.artifactHash,
    params.metadataURI,
    params.trainedOn,
  ] as const satisfies ContractFunctionArgs<typeof modelRegistryAbi, "nonpayable", "publishModelVersion">;
  const result = await writeContractAndWait(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "publishModelVersion",
    args,
  });
  const event = firstEventArgs(
    result.receipt,
    modelRegistryAbi,
    client.addresses.modelRegistry,
    "ModelVersionPublished",
  );
  return { ...result, version: event.version };
}
