import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import { eventArgs } from "./internal/eventArgs.ts";

/** Parameters of {@link contributeBatch}: parallel arrays, one entry per contribution. */
export type ContributeBatchParameters = {
  /** Target datanet. */
  datanetId: bigint;
  /** sha-256 of each normalized content; each once per datanet (and once in the batch). */
  contentHashes: readonly Hex[];
  /** Size in bytes of each content. */
  sizes: readonly bigint[];
  /** Where each content and its metadata are stored. */
  metadataURIs: readonly string[];
};

/** Return type of {@link contributeBatch}: the transaction and the new ids, in input order. */
export type ContributeBatchReturnType = WriteResult & { contributionIds: bigint[] };

/** Errors of {@link contributeBatch}: `ContractRevertError` when the contract refuses, else `TributaryError`. */
export type ContributeBatchErrorType = TributaryError;

/**
 * Registers many contributions of the wallet's account in one transaction; the total stake (stake × count) is
 * pulled once, so approve that much first. One duplicate makes the whole batch revert.
 *
 * @example
 * const { contributionIds } = await contributeBatch(client, { datanetId: 1n, contentHashes, sizes, metadataURIs });
 */
export async function contributeBatch(
  client: TributaryClient,
  params: ContributeBatchParameters,
): Promise<ContributeBatchReturnType> {
  const args = [
    params.datanetId,
    params.contentHashes,
    params.sizes,
    params.metadataURIs,
  ] as const satisfies ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", "contributeBatch">;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "contributeBatch",
    args,
  });
  const events = eventArgs(
    result.receipt,
    datanetRegistryAbi,
    client.addresses.datanetRegistry,
    "ContributionRegistered",
  );
  return { ...result, contributionIds: events.map((e) => e.contributionId) };
}
