import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link setAllowedModels}. */
export type SetAllowedModelsParameters = {
  /** Agent. */
  agentId: bigint;
  /** The complete new list. */
  allowedModels: readonly bigint[];
};

/** Return type of {@link setAllowedModels}: the transaction and its receipt. */
export type SetAllowedModelsReturnType = WriteResult;

/** Errors of {@link setAllowedModels}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type SetAllowedModelsErrorType = TributaryError;

/**
 * Replaces the models an agent may call. Only the operator of an active agent.
 *
 * @example
 * await setAllowedModels(client, { agentId: 1n, allowedModels: [1n, 2n] });
 */
export async function setAllowedModels(
  client: TributaryClient,
  params: SetAllowedModelsParameters,
): Promise<SetAllowedModelsReturnType> {
  const args = [params.agentId, params.allowedModels] as const satisfies ContractFunctionArgs<
    typeof agentRegistryAbi,
    "nonpayable",
    "setAllowedModels"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "setAllowedModels",
    args,
  });
  return result;
}
