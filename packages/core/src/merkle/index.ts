export { buildContributionsTree, type ContributionLeaf, contributionLeafTypes } from "./contributionsTree.ts";
export {
  createStandardMerkleTree,
  processProof,
  type StandardMerkleTree,
} from "./createStandardMerkleTree.ts";
export {
  buildCumulativeTree,
  type CumulativeEntry,
  type CumulativeTree,
  cumulativeLeafTypes,
} from "./cumulativeTree.ts";
export { compareBytes, hashPair, standardLeafBytes, standardLeafHash } from "./standardLeaf.ts";
