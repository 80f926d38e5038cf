import { bytesToHex, type Hex, hexToBytes } from "viem";
import { compareBytes, hashPair, standardLeafBytes } from "./standardLeaf.ts";

/** A built tree: root, proofs by value index, and verification. */
export type StandardMerkleTree<T extends readonly unknown[]> = {
  root: Hex;
  leafTypes: readonly string[];
  /** The values in the order they were given. */
  values: readonly T[];
  /** Leaf hash of the value at `valueIndex`. */
  leafHash(valueIndex: number): Hex;
  /** Proof (sibling hashes from the leaf up) of the value at `valueIndex`. */
  proof(valueIndex: number): Hex[];
};

/**
 * Builds a Merkle tree byte-compatible with OpenZeppelin's `StandardMerkleTree.of(values, types)`:
 * leaves are sorted by hash and laid out as a complete binary tree in an array, so the same values
 * give the same root and proofs here, in `@openzeppelin/merkle-tree` and in `MerkleProof.verify`.
 *
 * @example
 * const tree = createStandardMerkleTree(["address", "uint256"], [[alice, 5n], [bob, 7n]]);
 * tree.proof(1);
 */
export function createStandardMerkleTree<T extends readonly unknown[]>(
  leafTypes: readonly string[],
  values: readonly T[],
): StandardMerkleTree<T> {
  if (values.length === 0) throw new Error("a Merkle tree needs at least one leaf");
  const hashed = values.map((v, valueIndex) => ({ hash: standardLeafBytes(leafTypes, v), valueIndex }));
  hashed.sort((a, b) => compareBytes(a.hash, b.hash));
  const n = hashed.length;
  const tree: Uint8Array[] = new Array(2 * n - 1);
  const treeIndexOfValue = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const pos = tree.length - 1 - i;
    tree[pos] = hashed[i]!.hash;
    treeIndexOfValue[hashed[i]!.valueIndex] = pos;
  }
  for (let i = tree.length - 1 - n; i >= 0; i--) {
    tree[i] = hashPair(tree[2 * i + 1]!, tree[2 * i + 2]!);
  }
  const check = (valueIndex: number) => {
    if (!Number.isInteger(valueIndex) || valueIndex < 0 || valueIndex >= n) {
      throw new Error(`no leaf at value index ${valueIndex} (tree has ${n})`);
    }
  };
  return {
    root: bytesToHex(tree[0]!),
    leafTypes,
    values,
    leafHash(valueIndex) {
      check(valueIndex);
      return bytesToHex(tree[treeIndexOfValue[valueIndex]!]!);
    },
    proof(valueIndex) {
      check(valueIndex);
      const proof: Hex[] = [];
      let i = treeIndexOfValue[valueIndex]!;
      while (i > 0) {
        const sibling = i % 2 === 1 ? i + 1 : i - 1;
        proof.push(bytesToHex(tree[sibling]!));
        i = Math.floor((i - 1) / 2);
      }
      return proof;
    },
  };
}

/** Recomputes the root from a leaf and its proof; compare with the tree's root to verify. */
export function processProof(leaf: Hex, proof: readonly Hex[]): Hex {
  let node = hexToBytes(leaf);
  for (const sibling of proof) node = hashPair(node, hexToBytes(sibling));
  return bytesToHex(node);
}
