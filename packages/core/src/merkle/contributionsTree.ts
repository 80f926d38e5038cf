import { type Address, getAddress, type Hex } from "viem";
import { createStandardMerkleTree, type StandardMerkleTree } from "./createStandardMerkleTree.ts";

/** Leaf of a datanet version root: `(uint256 contributionId, bytes32 contentHash, address contributor)`. */
export const contributionLeafTypes = ["uint256", "bytes32", "address"] as const;

/** An accepted contribution as it enters a published version. */
export type ContributionLeaf = { contributionId: bigint; contentHash: Hex; contributor: Address };

/**
 * Builds the Merkle root `publishVersion` records: one leaf per accepted contribution, in ascending
 * contribution id (canonical, so anyone re-derives the same root from the exported manifest).
 */
export function buildContributionsTree(
  leaves: readonly ContributionLeaf[],
): StandardMerkleTree<readonly [bigint, Hex, Address]> & { leaves: readonly ContributionLeaf[] } {
  const sorted = [...leaves].sort((a, b) =>
    a.contributionId < b.contributionId ? -1 : a.contributionId > b.contributionId ? 1 : 0,
  );
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.contributionId === sorted[i - 1]!.contributionId) {
      throw new Error(`contribution ${sorted[i]!.contributionId} appears twice in a version`);
    }
  }
  const tree = createStandardMerkleTree<readonly [bigint, Hex, Address]>(
    contributionLeafTypes,
    sorted.map((l) => [l.contributionId, l.contentHash, getAddress(l.contributor)] as const),
  );
  return { ...tree, leaves: sorted };
}
