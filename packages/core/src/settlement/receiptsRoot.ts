import { keccak_256 } from "@noble/hashes/sha3";
import { bytesToHex, type Hex, hexToBytes } from "viem";
import { hashPair } from "../merkle/standardLeaf.ts";
import { fail } from "./errors.ts";

/** Root of an epoch without receipts. */
export const EMPTY_RECEIPTS_ROOT: Hex = `0x${"00".repeat(32)}`;

/** One leaf of the receipts tree: the receipt's id and content hash, at its position in the epoch. */
export type ReceiptLeaf = {
  readonly id: Hex;
  readonly hash: Hex;
};

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

function bytes32(name: string, value: Hex): Uint8Array {
  if (typeof value !== "string" || !HEX32.test(value)) {
    fail("INVALID_RECEIPT", `${name} ${String(value)} is not 32 bytes of hex`, "Pass 0x + 64 hex digits.");
  }
  return hexToBytes(value);
}

/**
 * Leaf hash of the receipt at `index`: the OpenZeppelin StandardMerkleTree leaf of
 * `(uint256 index, bytes32 id, bytes32 receiptHash)`, i.e. `keccak256(keccak256(abi.encode(index, id, hash)))`.
 * The position is part of the leaf, so the root commits to the order of the receipts.
 *
 * @example
 * receiptLeafHash(0, { id: receipt.id, hash: receiptHash(receipt) });
 */
export function receiptLeafHash(index: number, leaf: ReceiptLeaf): Hex {
  return bytesToHex(receiptLeafBytes(index, bytes32("id", leaf.id), bytes32("hash", leaf.hash)));
}

function receiptLeafBytes(index: number, id: Uint8Array, hash: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(index) || index < 0) {
    fail("INVALID_RECEIPT", `receipt index ${index} is not a safe integer >= 0`, "Count receipts from 0.");
  }
  const encoded = new Uint8Array(96);
  // abi.encode(uint256): big-endian in the first word; a safe integer fits in its last 7 bytes.
  let n = index;
  for (let i = 31; n > 0; i--) {
    encoded[i] = n % 256;
    n = Math.floor(n / 256);
  }
  encoded.set(id, 32);
  encoded.set(hash, 64);
  return keccak_256(keccak_256(encoded));
}

/** A streaming builder of the receipts root (see {@link createReceiptsRootBuilder}). */
export type ReceiptsRootBuilder = {
  /** Appends the next receipt's leaf. */
  push(leaf: ReceiptLeaf): void;
  /** Number of leaves pushed. */
  readonly count: number;
  /** The root of the leaves pushed so far ({@link EMPTY_RECEIPTS_ROOT} when none). Does not end the stream. */
  root(): Hex;
};

/**
 * Builds the epoch's receipts root while receipts stream by, holding only O(log n) hashes. The tree is the
 * RFC 6962 (Certificate Transparency) shape over the leaves in order: for n > 1 leaves, the left subtree is
 * the largest power of two < n leaves, the right subtree the rest; inner nodes are OpenZeppelin's
 * commutative `keccak256(sort(a, b))`, so `MerkleProof.verify` in Solidity and `processProof` in
 * `../merkle` check the proofs of {@link receiptInclusionProof}. A single leaf is its own root; no leaves
 * give {@link EMPTY_RECEIPTS_ROOT}.
 *
 * @example
 * const builder = createReceiptsRootBuilder();
 * for (const r of receipts) builder.push({ id: r.id, hash: receiptHash(r) });
 * builder.root();
 */
export function createReceiptsRootBuilder(): ReceiptsRootBuilder {
  // Perfect subtrees, largest first: stack[k] has 2^heights[k] leaves (the binary digits of the count).
  const stack: Uint8Array[] = [];
  const heights: number[] = [];
  let count = 0;
  return {
    push(leaf) {
      let node = receiptLeafBytes(count, bytes32("id", leaf.id), bytes32("hash", leaf.hash));
      let height = 0;
      while (heights.length > 0 && heights[heights.length - 1] === height) {
        node = hashPair(stack.pop()!, node);
        heights.pop();
        height++;
      }
      stack.push(node);
      heights.push(height);
      count++;
    },
    get count() {
      return count;
    },
    root() {
      if (stack.length === 0) return EMPTY_RECEIPTS_ROOT;
      let node = stack[stack.length - 1]!;
      for (let k = stack.length - 2; k >= 0; k--) node = hashPair(stack[k]!, node);
      return bytesToHex(node);
    },
  };
}

/**
 * The receipts root of `leaves` in order (see {@link createReceiptsRootBuilder}).
 *
 * @example
 * computeReceiptsRoot(receipts.map((r) => ({ id: r.id, hash: receiptHash(r) })));
 */
export function computeReceiptsRoot(leaves: Iterable<ReceiptLeaf>): Hex {
  const builder = createReceiptsRootBuilder();
  for (const leaf of leaves) builder.push(leaf);
  return builder.root();
}

/**
 * Inclusion proof of the leaf at `index` (sibling hashes from the leaf up), for `processProof` or
 * OpenZeppelin's `MerkleProof.verify` against the receipts root. Holds all leaves (O(n log n) hashing).
 *
 * @example
 * processProof(receiptLeafHash(3, leaves[3]), receiptInclusionProof(leaves, 3)) === root; // true
 */
export function receiptInclusionProof(leaves: readonly ReceiptLeaf[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= leaves.length) {
    fail(
      "INVALID_RECEIPT",
      `no receipt at index ${index} (epoch has ${leaves.length})`,
      "Pass an index in range.",
    );
  }
  const hashes = leaves.map((l, i) => receiptLeafBytes(i, bytes32("id", l.id), bytes32("hash", l.hash)));
  const subtreeRoot = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return hashes[from]!;
    const k = largestPowerOfTwoBelow(to - from);
    return hashPair(subtreeRoot(from, from + k), subtreeRoot(from + k, to));
  };
  const proof: Hex[] = [];
  const path = (m: number, from: number, to: number): void => {
    if (to - from === 1) return;
    const k = largestPowerOfTwoBelow(to - from);
    if (m < from + k) {
      path(m, from, from + k);
      proof.push(bytesToHex(subtreeRoot(from + k, to)));
    } else {
      path(m, from + k, to);
      proof.push(bytesToHex(subtreeRoot(from, from + k)));
    }
  };
  path(index, 0, leaves.length);
  return proof;
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
