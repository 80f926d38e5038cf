import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType, Hex } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getContributionIdOf}. */
export type GetContributionIdOfParameters = {
  /** Datanet id. */
  datanetId: bigint;
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
 * Id of the contribution of `contentHash` in a datanet, `0n` when the content is not registered there.
 *
 * @example
 * const id = await getContributionIdOf(client, { datanetId: 1n, contentHash });
 */
export async function getContributionIdOf(
  client: TributaryClient,
  params: GetContributionIdOfParameters,
): Promise<GetContributionIdOfReturnType> {
  return readContract<GetContributionIdOfReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "contributionIdOf",
    args: [params.datanetId, params.contentHash],
  });
}
