import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getAgentCount}, as decoded from the ABI. */
export type GetAgentCountReturnType = ContractFunctionReturnType<
  typeof agentRegistryAbi,
  "view",
  "agentCount"
>;

/** Errors of {@link getAgentCount}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetAgentCountErrorType = TributaryError;

/**
 * Number of agents; ids are `1n..count`.
 *
 * @example
 * const count = await getAgentCount(client);
 */
export async function getAgentCount(client: TributaryClient): Promise<GetAgentCountReturnType> {
  return readContract<GetAgentCountReturnType>(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "agentCount",
  });
}
