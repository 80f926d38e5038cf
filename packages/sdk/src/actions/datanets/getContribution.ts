import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getContribution}. */
export type GetContributionParameters = {
  /** Contribution id. */
  contributionId: bigint;
};

/** Return type of {@link getContribution}, as decoded from the ABI. */
export type GetContributionReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "getContribution"
>;

/** Errors of {@link getContribution}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetContributionErrorType = TributaryError;

/**
 * A contribution: contributor, datanet, size, status (index into `contributionStatuses`) and the stake still held.
 *
 * @example
 * const c = await getContribution(client, { contributionId: 42n });
 * contributionStatuses[c.status]; // "Pending"
 */
export async function getContribution(
  client: TributaryClient,
  params: GetContributionParameters,
): Promise<GetContributionReturnType> {
  return readContract<GetContributionReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "getContribution",
    args: [params.contributionId],
  });
}
