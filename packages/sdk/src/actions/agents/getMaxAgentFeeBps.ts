import { agentRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getMaxAgentFeeBps}, as decoded from the ABI. */
export type GetMaxAgentFeeBpsReturnType = ContractFunctionReturnType<
  typeof agentRegistryAbi,
  "view",
  "MAX_FEE_BPS"
>;

/** Errors of {@link getMaxAgentFeeBps}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetMaxAgentFeeBpsErrorType = TributaryError;

/**
 * Highest agent fee, in basis points of the model price.
 *
 * @example
 * const max = await getMaxAgentFeeBps(client);
 */
export async function getMaxAgentFeeBps(client: TributaryClient): Promise<GetMaxAgentFeeBpsReturnType> {
  return readContract<GetMaxAgentFeeBpsReturnType>(client, {
    address: client.addresses.agentRegistry,
    abi: agentRegistryAbi,
    functionName: "MAX_FEE_BPS",
  });
}
