import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import { eventArgs } from "./internal/eventArgs.ts";
import { type Verdict, verdicts } from "./types.ts";

/** Parameters of {@link reviewContributions}. */
export type ReviewContributionsParameters = {
  /** Datanet the contributions belong to. */
  datanetId: bigint;
  /** One verdict per pending contribution. */
  reviews: readonly { contributionId: bigint; verdict: Verdict }[];
};

/** Return type of {@link reviewContributions}: the transaction and the stake moved by it. */
export type ReviewContributionsReturnType = WriteResult & {
  accepted: bigint[];
  rejected: bigint[];
  slashed: bigint[];
  /** Sum of stakes returned to contributors. */
  stakeReturned: bigint;
  /** Sum of stakes sent to the treasury. */
  stakeSlashed: bigint;
};

/** Errors of {@link reviewContributions}: `ContractRevertError` when the contract refuses, else `TributaryError`. */
export type ReviewContributionsErrorType = TributaryError;

/**
 * Accepts, rejects or rejects-and-slashes pending contributions of a datanet in one transaction (`review`). Only a
 * curator or the owner. The whole batch reverts when one item is not reviewable.
 *
 * @example
 * await reviewContributions(client, {
 *   datanetId: 1n,
 *   reviews: [{ contributionId: 7n, verdict: "accept" }, { contributionId: 8n, verdict: "rejectAndSlash" }],
 * });
 */
export async function reviewContributions(
  client: TributaryClient,
  params: ReviewContributionsParameters,
): Promise<ReviewContributionsReturnType> {
  const args = [
    params.datanetId,
    params.reviews.map((r) => r.contributionId),
    params.reviews.map((r) => verdicts[r.verdict]),
  ] as const satisfies ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", "review">;
  const address = client.addresses.datanetRegistry;
  const result = await writeContractAndWait(client, {
    address,
    abi: datanetRegistryCallAbi,
    functionName: "review",
    args,
  });
  const { receipt } = result;
  const rejections = eventArgs(receipt, datanetRegistryAbi, address, "ContributionRejected");
  const sum = (xs: { amount: bigint }[]) => xs.reduce((total, x) => total + x.amount, 0n);
  return {
    ...result,
    accepted: eventArgs(receipt, datanetRegistryAbi, address, "ContributionAccepted").map(
      (e) => e.contributionId,
    ),
    rejected: rejections.filter((e) => !e.slashed).map((e) => e.contributionId),
    slashed: rejections.filter((e) => e.slashed).map((e) => e.contributionId),
    stakeReturned: sum(eventArgs(receipt, datanetRegistryAbi, address, "StakeReturned")),
    stakeSlashed: sum(eventArgs(receipt, datanetRegistryAbi, address, "StakeSlashed")),
  };
}
