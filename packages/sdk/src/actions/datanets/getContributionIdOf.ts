import { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionReturnType, Hex } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getContributionIdOf}. */
export type GetContributionIdOfParameters = {
  /** Datanet id. */
  datanetId: bigint;
  /** The contributor whose registration is looked up: dedupe is per (datanet, contributor, content hash). */
  contributor: Address;
  /** Content hash. */
  contentHash: Hex;
};

/** Return type of {@link getContributionIdOf}, as decoded from the ABI. */
export type GetContributionIdOfReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "contributionIdOf"
>;

/** Errors of {@link getContributionIdOf}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetContributionIdOfErrorType = TributaryError;

/**
 * Id of `contributor`'s contribution of `contentHash` in a datanet, `0n` when that contributor has not registered
 * it there. Another address's registration of the same content is a separate record (so a front-runner that saw
 * the hash can neither block nor take the contribution); find those in the indexed `ContributionRegistered` events.
 *
 * @example
 * const id = await getContributionIdOf(client, { datanetId: 1n, contributor, contentHash });
 */
export async function getContributionIdOf(
  client: TributaryClient,
  params: GetContributionIdOfParameters,
): Promise<GetContributionIdOfReturnType> {
  return readContract<GetContributionIdOfReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "contributionIdOf",
    args: [params.datanetId, params.contributor, params.contentHash],
  });
}
