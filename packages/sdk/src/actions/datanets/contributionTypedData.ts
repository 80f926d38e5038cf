import type { Address, Hex, TypedDataDefinition } from "viem";

/** EIP-712 domain name and version of DatanetRegistry (its constructor fixes them). */
export const datanetRegistryDomain = { name: "Tributary DatanetRegistry", version: "1" } as const;

/** EIP-712 types of a single signed contribution (`contributeWithSig`). */
export const contributionTypes = {
  Contribution: [
    { name: "datanetId", type: "uint256" },
    { name: "contentHash", type: "bytes32" },
    { name: "size", type: "uint64" },
    { name: "metadataURI", type: "string" },
    { name: "stake", type: "uint256" },
    { name: "contributor", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** EIP-712 types of a signed batch (`contributeBatchWithSig`); `stake` is per contribution. */
export const contributionBatchTypes = {
  ContributionBatch: [
    { name: "datanetId", type: "uint256" },
    { name: "contentHashes", type: "bytes32[]" },
    { name: "sizes", type: "uint64[]" },
    { name: "metadataURIs", type: "string[]" },
    { name: "stake", type: "uint256" },
    { name: "contributor", type: "address" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
} as const;

/** Where a signature is valid: the chain and the DatanetRegistry it is bound to. */
export type ContributionSigningDomain = { chainId: number; registry: Address };

/** What the contributor signs besides the content: the terms the registry checks. */
export type ContributionSigningTerms = ContributionSigningDomain & {
  contributor: Address;
  /** The contributor's current nonce (`getContributionNonce`); each signature uses one, in order. */
  nonce: bigint;
  /** Stake the datanet pulls per contribution now; a policy change after signing invalidates the signature. */
  stake: bigint;
  /** Last unix timestamp (seconds) at which the signature is accepted. */
  deadline: bigint;
};

/** One contribution's content fields. */
export type ContributionContent = { datanetId: bigint; contentHash: Hex; size: bigint; metadataURI: string };

/** A batch's content fields, as parallel arrays (one signature covers them all). */
export type ContributionBatchContent = {
  datanetId: bigint;
  contentHashes: readonly Hex[];
  sizes: readonly bigint[];
  metadataURIs: readonly string[];
};

function domainOf(terms: ContributionSigningDomain) {
  return { ...datanetRegistryDomain, chainId: terms.chainId, verifyingContract: terms.registry } as const;
}

/**
 * The EIP-712 typed data of one contribution, ready for any signer (`signTypedData`, `hashTypedData`,
 * a browser wallet's `eth_signTypedData_v4`).
 *
 * @example
 * const typedData = buildContributionTypedData({ ...content, ...terms });
 * const signature = await walletClient.signTypedData({ account, ...typedData });
 */
export function buildContributionTypedData(
  params: ContributionContent & ContributionSigningTerms,
): TypedDataDefinition<typeof contributionTypes, "Contribution"> {
  return {
    domain: domainOf(params),
    types: contributionTypes,
    primaryType: "Contribution",
    message: {
      datanetId: params.datanetId,
      contentHash: params.contentHash,
      size: params.size,
      metadataURI: params.metadataURI,
      stake: params.stake,
      contributor: params.contributor,
      nonce: params.nonce,
      deadline: params.deadline,
    },
  };
}

/**
 * The EIP-712 typed data of a batch of contributions (one signature for all of them).
 *
 * @example
 * const typedData = buildContributionBatchTypedData({ datanetId, contentHashes, sizes, metadataURIs, ...terms });
 */
export function buildContributionBatchTypedData(
  params: ContributionBatchContent & ContributionSigningTerms,
): TypedDataDefinition<typeof contributionBatchTypes, "ContributionBatch"> {
  return {
    domain: domainOf(params),
    types: contributionBatchTypes,
    primaryType: "ContributionBatch",
    message: {
      datanetId: params.datanetId,
      contentHashes: params.contentHashes,
      sizes: params.sizes,
      metadataURIs: params.metadataURIs,
      stake: params.stake,
      contributor: params.contributor,
      nonce: params.nonce,
      deadline: params.deadline,
    },
  };
}
