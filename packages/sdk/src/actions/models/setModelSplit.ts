import { modelRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import type { ModelSplit } from "./types.ts";

/** Parameters of {@link setModelSplit}. */
export type SetModelSplitParameters = {
  /** Model. */
  modelId: bigint;
  /** New split; `ownerBps + dataBps` is 10000. */
  split: ModelSplit;
};

/** Return type of {@link setModelSplit}: the transaction and its receipt. */
export type SetModelSplitReturnType = WriteResult;

/** Errors of {@link setModelSplit}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type SetModelSplitErrorType = TributaryError;

/**
 * Replaces a model's split for inferences served from now on. Only the owner, not when deprecated.
 *
 * @example
 * await setModelSplit(client, { modelId: 1n, split: { ownerBps: 2000, dataBps: 8000 } });
 */
export async function setModelSplit(
  client: TributaryClient,
  params: SetModelSplitParameters,
): Promise<SetModelSplitReturnType> {
  const args = [params.modelId, params.split] as const satisfies ContractFunctionArgs<
    typeof modelRegistryAbi,
    "nonpayable",
    "setSplit"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "setSplit",
    args,
  });
  return result;
}
