import type { Hex, LocalAccount } from "viem";
import {
  buildContributionBatchTypedData,
  buildContributionTypedData,
  type ContributionBatchContent,
  type ContributionContent,
  type ContributionSigningTerms,
} from "./contributionTypedData.ts";

/** A key that signs typed data locally (e.g. `privateKeyToAccount`, `mnemonicToAccount`). */
export type ContributionSigner = Pick<LocalAccount, "address" | "signTypedData">;

/** Parameters of {@link signContribution}: the content and the terms, without the contributor (the signer). */
export type SignContributionParameters = ContributionContent & Omit<ContributionSigningTerms, "contributor">;

/** Parameters of {@link signContributionBatch}. */
export type SignContributionBatchParameters = ContributionBatchContent &
  Omit<ContributionSigningTerms, "contributor">;

/**
 * Signs one contribution as `account` for `contributeWithSig`, so a node can relay it and pay the gas. Get the
 * terms with `getContributionSigningTerms`. Nonces are sequential: relay signatures of one contributor in order.
 *
 * @example
 * const terms = await getContributionSigningTerms(client, { datanetId, contributor: account.address });
 * const signature = await signContribution(account, { datanetId, contentHash, size, metadataURI, ...terms, deadline });
 */
export function signContribution(
  account: ContributionSigner,
  params: SignContributionParameters,
): Promise<Hex> {
  return account.signTypedData(buildContributionTypedData({ ...params, contributor: account.address }));
}

/**
 * Signs a batch of contributions as `account` for `contributeBatchWithSig` (one signature, one nonce).
 *
 * @example
 * const signature = await signContributionBatch(account, { datanetId, contentHashes, sizes, metadataURIs, ...terms, deadline });
 */
export function signContributionBatch(
  account: ContributionSigner,
  params: SignContributionBatchParameters,
): Promise<Hex> {
  return account.signTypedData(buildContributionBatchTypedData({ ...params, contributor: account.address }));
}
