import { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs, Hex } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";
import { firstEventArgs } from "./internal/eventArgs.ts";
import { type ContributionStatusName, contributionStatuses } from "./types.ts";

/** Parameters of {@link contributeWithSig}: the signed content, its signer and the signature. */
export type ContributeWithSigParameters = {
  /** Target datanet. */
  datanetId: bigint;
  /** sha-256 of the normalized content. */
  contentHash: Hex;
  /** Content size in bytes. */
  size: bigint;
  /** Where the content and its metadata are stored. */
  metadataURI: string;
  /** The signer, who is recorded as contributor and pays the stake. */
  contributor: Address;
  /** The signed deadline (unix seconds). */
  deadline: bigint;
  /** From `signContribution` (or an ERC-1271 wallet). */
  signature: Hex;
};

/** Return type of {@link contributeWithSig}: the transaction plus the new contribution. */
export type ContributeWithSigReturnType = WriteResult & {
  contributionId: bigint;
  status: ContributionStatusName;
  stake: bigint;
};

/** Errors of {@link contributeWithSig}: `ContractRevertError` when the contract refuses, else `TributaryError`. */
export type ContributeWithSigErrorType = TributaryError;

/**
 * Relays a contribution signed by `contributor`: the wallet's account pays the gas, the contributor is recorded and
 * pays the stake (it must have approved the registry, e.g. with an ERC-2612 permit the relayer submits first).
 *
 * @example
 * const signature = await signContribution(contributorAccount, { ...content, ...terms, deadline });
 * const { contributionId } = await contributeWithSig(relayerClient, { ...content, contributor, deadline, signature });
 */
export async function contributeWithSig(
  client: TributaryClient,
  params: ContributeWithSigParameters,
): Promise<ContributeWithSigReturnType> {
  const args = [
    params.datanetId,
    params.contentHash,
    params.size,
    params.metadataURI,
    params.contributor,
    params.deadline,
    params.signature,
  ] as const satisfies ContractFunctionArgs<typeof datanetRegistryAbi, "nonpayable", "contributeWithSig">;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "contributeWithSig",
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
