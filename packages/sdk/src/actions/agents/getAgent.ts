import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getAgent}. */
export type GetAgentParameters = {
  /** Agent id. */
  agentId: bigint;
};

/** Return type of {@link getAgent}, as decoded from the ABI. */
export type GetAgentReturnType = ContractFunctionReturnType<typeof agentRegistryAbi, "view", "getAgent">;

/** Errors of {@link getAgent}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetAgentErrorType = TributaryError;

/**
 * An agent: operator, active flag, fee, agent card URI and allowed models.
 *
 * @example
 * const { operator, feeBps } = await getAgent(client, { agentId: 1n });
 */
export async function getAgent(
  client: TributaryClient,
  params: GetAgentParameters,
): Promise<GetAgentReturnType> {
  return readContract<GetAgentReturnType>(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "getAgent",
    args: [params.agentId],
  });
}
