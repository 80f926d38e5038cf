import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import { firstEventArgs } from "./internal/eventArgs.ts";
import { type ContributionStatusName, contributionStatuses } from "./types.ts";

/** Parameters of {@link contribute}. */
export type ContributeParameters = {
  /** Target datanet. */
  datanetId: bigint;
  /** sha-256 of the normalized content; once per datanet. */
  contentHash: Hex;
  /** Content size in bytes. */
  size: bigint;
  /** Where the content and its metadata are stored (emitted, not stored on chain). */
  metadataURI: string;
};

/** Return type of {@link contribute}: the transaction plus what its `ContributionRegistered` event says. */
export type ContributeReturnType = WriteResult & {
  contributionId: bigint;
  status: ContributionStatusName;
  stake: bigint;
};

/** Errors of {@link contribute}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type ContributeErrorType = TributaryError;

/**
 * Registers a contribution of the wallet's account. When the datanet has a stake, approve the registry first ({@link approveTokens}).
 *
 * @example
 * const { contributionId, status } = await contribute(client, { datanetId: 1n, contentHash, size: 1234n, metadataURI: "ipfs://…" });
 */
export async function contribute(
  client: TributaryClient,
  params: ContributeParameters,
): Promise<ContributeReturnType> {
  const args = [
    params.datanetId,
    params.contentHash,
    params.size,
    params.metadataURI,
  ] as const satisfies ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", "contribute">;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "contribute",
    args,
  });
  const event = firstEventArgs(
    result.receipt,
    datanetRegistryAbi,
    client.addresses.datanetRegistry,
    "ContributionRegistered",
  );
  return {
    ...result,
    contributionId: event.contributionId,
    status: contributionStatuses[event.status]!,
    stake: event.stake,
  };
}
