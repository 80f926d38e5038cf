import type { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link withdrawContribution}. */
export type WithdrawContributionParameters = {
  /** The wallet account's contribution. */
  contributionId: bigint;
};

/** Return type of {@link withdrawContribution}: the transaction and its receipt. */
export type WithdrawContributionReturnType = WriteResult;

/** Errors of {@link withdrawContribution}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type WithdrawContributionErrorType = TributaryError;

/**
 * Withdraws consent for a contribution: it is excluded from every later version. The held stake of an accepted contribution comes back at once; that of a pending one waits for the curators' review.
 *
 * @example
 * await withdrawContribution(client, { contributionId: 42n });
 */
export async function withdrawContribution(
  client: TributaryClient,
  params: WithdrawContributionParameters,
): Promise<WithdrawContributionReturnType> {
  const args = [params.contributionId] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "withdrawContribution"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "withdrawContribution",
    args,
  });
  return result;
}
