import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link isModelAllowed}. */
export type IsModelAllowedParameters = {
  /** Agent id. */
  agentId: bigint;
  /** Model id. */
  modelId: bigint;
};

/** Return type of {@link isModelAllowed}, as decoded from the ABI. */
export type IsModelAllowedReturnType = ContractFunctionReturnType<
  typeof agentRegistryAbi,
  "view",
  "isModelAllowed"
>;

/** Errors of {@link isModelAllowed}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type IsModelAllowedErrorType = TributaryError;

/**
 * Whether an agent is active, lists the model, and the model is not deprecated (false for unknown ids).
 *
 * @example
 * if (!(await isModelAllowed(client, { agentId, modelId }))) throw new Error("agent may not call this model");
 */
export async function isModelAllowed(
  client: TributaryClient,
  params: IsModelAllowedParameters,
): Promise<IsModelAllowedReturnType> {
  return readContract<IsModelAllowedReturnType>(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "isModelAllowed",
    args: [params.agentId, params.modelId],
  });
}
