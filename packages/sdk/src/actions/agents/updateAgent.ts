import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link updateAgent}. */
export type UpdateAgentParameters = {
  /** Agent. */
  agentId: bigint;
  /** New agent card URI. */
  agentCardURI: string;
  /** New fee in basis points. */
  feeBps: number;
};

/** Return type of {@link updateAgent}: the transaction and its receipt. */
export type UpdateAgentReturnType = WriteResult;

/** Errors of {@link updateAgent}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type UpdateAgentErrorType = TributaryError;

/**
 * Replaces an agent's card URI and fee. Only the operator of an active agent.
 *
 * @example
 * await updateAgent(client, { agentId: 1n, agentCardURI: "ipfs://…", feeBps: 300 });
 */
export async function updateAgent(
  client: TributaryClient,
  params: UpdateAgentParameters,
): Promise<UpdateAgentReturnType> {
  const args = [params.agentId, params.agentCardURI, params.feeBps] as const satisfies ContractFunctionArgs<
    typeof agentRegistryAbi,
    "nonpayable",
    "updateAgent"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "updateAgent",
    args,
  });
  return result;
}
