import type { Address } from "viem";
import type { TributaryClient } from "../../client.ts";
import type { ContributionSigningTerms } from "./contributionTypedData.ts";
import { getContributionNonce } from "./getContributionNonce.ts";
import { getDatanet } from "./getDatanet.ts";

/** Parameters of {@link getContributionSigningTerms}. */
export type GetContributionSigningTermsParameters = { datanetId: bigint; contributor: Address };

/** What a contributor must sign besides the content and the deadline. */
export type GetContributionSigningTermsReturnType = Omit<ContributionSigningTerms, "deadline">;

/**
 * Reads the chain id, the registry address, the contributor's next nonce and the stake the datanet pulls now: the
 * terms {@link signContribution} binds a signature to.
 *
 * @example
 * const terms = await getContributionSigningTerms(client, { datanetId: 1n, contributor });
 */
export async function getContributionSigningTerms(
  client: TributaryClient,
  params: GetContributionSigningTermsParameters,
): Promise<GetContributionSigningTermsReturnType> {
  const [chainId, nonce, datanet] = await Promise.all([
    client.publicClient.getChainId(),
    getContributionNonce(client, { contributor: params.contributor }),
    getDatanet(client, { datanetId: params.datanetId }),
  ]);
  const { curated, minStake, refundStakeOnAccept } = datanet.policy;
  // Mirrors DatanetRegistry._terms: an open datanet that refunds on accept pulls no stake.
  const stake = !curated && refundStakeOnAccept ? 0n : minStake;
  return {
    chainId,
    registry: client.addresses.datanetRegistry,
    contributor: params.contributor,
    nonce,
    stake,
  };
}
