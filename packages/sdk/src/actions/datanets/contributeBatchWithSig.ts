import { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import { eventArgs } from "./internal/eventArgs.ts";

/** Parameters of {@link contributeBatchWithSig}: the signed batch, its signer and the one signature. */
export type ContributeBatchWithSigParameters = {
  datanetId: bigint;
  contentHashes: readonly Hex[];
  sizes: readonly bigint[];
  metadataURIs: readonly string[];
  /** The signer, recorded as contributor of every item; pays stake × count. */
  contributor: Address;
  /** The signed deadline (unix seconds). */
  deadline: bigint;
  /** From `signContributionBatch`. */
  signature: Hex;
};

/** Return type of {@link contributeBatchWithSig}: the transaction and the new ids, in input order. */
export type ContributeBatchWithSigReturnType = WriteResult & { contributionIds: bigint[] };

/** Errors of {@link contributeBatchWithSig}: `ContractRevertError` when the contract refuses, else `TributaryError`. */
export type ContributeBatchWithSigErrorType = TributaryError;

/**
 * Relays a batch of contributions signed once by `contributor`; the wallet's account pays the gas.
 *
 * @example
 * const signature = await signContributionBatch(contributorAccount, { ...batch, ...terms, deadline });
 * const { contributionIds } = await contributeBatchWithSig(relayerClient, { ...batch, contributor, deadline, signature });
 */
export async function contributeBatchWithSig(
  client: TributaryClient,
  params: ContributeBatchWithSigParameters,
): Promise<ContributeBatchWithSigReturnType> {
  const args = [
    params.datanetId,
    params.contentHashes,
    params.sizes,
    params.metadataURIs,
    params.contributor,
    params.deadline,
    params.signature,
  ] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "contributeBatchWithSig"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "contributeBatchWithSig",
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
