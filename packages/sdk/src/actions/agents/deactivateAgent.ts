import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link deactivateAgent}. */
export type DeactivateAgentParameters = {
  /** Agent. */
  agentId: bigint;
};

/** Return type of {@link deactivateAgent}: the transaction and its receipt. */
export type DeactivateAgentReturnType = WriteResult;

/** Errors of {@link deactivateAgent}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type DeactivateAgentErrorType = TributaryError;

/**
 * Deactivates an agent for good. Only its operator.
 *
 * @example
 * await deactivateAgent(client, { agentId: 1n });
 */
export async function deactivateAgent(
  client: TributaryClient,
  params: DeactivateAgentParameters,
): Promise<DeactivateAgentReturnType> {
  const args = [params.agentId] as const satisfies ContractFunctionArgs<
    typeof agentRegistryAbi,
    "nonpayable",
    "deactivate"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "deactivate",
    args,
  });
  return result;
}
