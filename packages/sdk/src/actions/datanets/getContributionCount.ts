import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getContributionCount}, as decoded from the ABI. */
export type GetContributionCountReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "contributionCount"
>;

/** Errors of {@link getContributionCount}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetContributionCountErrorType = TributaryError;

/**
 * Number of contributions; ids are `1n..count`.
 *
 * @example
 * const count = await getContributionCount(client);
 */
export async function getContributionCount(client: TributaryClient): Promise<GetContributionCountReturnType> {
  return readContract<GetContributionCountReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "contributionCount",
  });
}
