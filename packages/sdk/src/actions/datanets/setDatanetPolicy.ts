import type { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import type { DatanetPolicy } from "./types.ts";

/** Parameters of {@link setDatanetPolicy}. */
export type SetDatanetPolicyParameters = {
  /** Datanet to change. */
  datanetId: bigint;
  /** New rules; they apply to later contributions and reviews, never to stakes already held. */
  policy: DatanetPolicy;
};

/** Return type of {@link setDatanetPolicy}: the transaction and its receipt. */
export type SetDatanetPolicyReturnType = WriteResult;

/** Errors of {@link setDatanetPolicy}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type SetDatanetPolicyErrorType = TributaryError;

/**
 * Replaces a datanet's policy. Only the datanet owner.
 *
 * @example
 * await setDatanetPolicy(client, { datanetId: 1n, policy: { ...current, minStake: parseEther("1") } });
 */
export async function setDatanetPolicy(
  client: TributaryClient,
  params: SetDatanetPolicyParameters,
): Promise<SetDatanetPolicyReturnType> {
  const args = [params.datanetId, params.policy] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "setPolicy"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "setPolicy",
    args,
  });
  return result;
}
