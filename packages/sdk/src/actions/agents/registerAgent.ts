import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { firstEventArgs } from "../datanets/internal/eventArgs.ts";

/** Parameters of {@link registerAgent}. */
export type RegisterAgentParameters = {
  /** Where the agent card (name, description, endpoints) is stored. */
  agentCardURI: string;
  /** Models it may call; each must exist, not be deprecated, and appear once. */
  allowedModels: readonly bigint[];
  /** Agent fee on top of the model price, in basis points (at most 10000). */
  feeBps: number;
};

/** Return type of {@link registerAgent}: the transaction plus what its `AgentRegistered` event says. */
export type RegisterAgentReturnType = WriteResult & { agentId: bigint };

/** Errors of {@link registerAgent}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type RegisterAgentErrorType = TributaryError;

/**
 * Registers an agent operated by the wallet's account and returns its id.
 *
 * @example
 * const { agentId } = await registerAgent(client, { agentCardURI: "ipfs://…", allowedModels: [1n], feeBps: 500 });
 */
export async function registerAgent(
  client: TributaryClient,
  params: RegisterAgentParameters,
): Promise<RegisterAgentReturnType> {
  const args = [
    params.agentCardURI,
    params.allowedModels,
    params.feeBps,
  ] as const satisfies ContractFunctionArgs<typeof agentRegistryAbi, "nonpayable", "registerAgent">;
  const result = await writeContractAndWait(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "registerAgent",
    args,
  });
  const event = firstEventArgs(
    result.receipt,
    agentRegistryAbi,
    client.addresses.agentRegistry,
    "AgentRegistered",
  );
  return { ...result, agentId: event.agentId };
}
