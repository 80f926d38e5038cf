import { bytesToHex, type Hex, hexToBytes } from "viem";
import { keccak256 as keccak_256 } from "../keccak.ts";
import { fail } from "./errors.ts";

/** Root of an epoch without receipts. */
export const EMPTY_RECEIPTS_ROOT: Hex = `0x${"00".repeat(32)}`;

/** One entry of an epoch's committed receipt list: the receipt's id (a label) and its hash (the leaf). */
export type ReceiptLeaf = {
  readonly id: Hex;
  readonly hash: Hex;
};

const HEX32 = /^0x[0-9a-fA-F]{64}$/;

// Hex digit value by char code, -1 for anything else: decoding and validating in one pass is several times
// faster than a regular expression plus viem's hexToBytes, and this runs once per receipt.
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[65 + i] = 10 + i;
  NIBBLE[97 + i] = 10 + i;
}

function bytes32(name: string, value: Hex): Uint8Array {
  const out = new Uint8Array(32);
  let ok = typeof value === "string" && value.length === 66 && value[0] === "0" && value[1] === "x";
  for (let i = 0; ok && i < 32; i++) {
    const hi = NIBBLE[value.charCodeAt(2 + 2 * i)] ?? -1;
    const lo = NIBBLE[value.charCodeAt(3 + 2 * i)] ?? -1;
    if (hi < 0 || lo < 0) ok = false;
    out[i] = (hi << 4) | lo;
  }
  if (!ok)
    fail("INVALID_RECEIPT", `${name} ${String(value)} is not 32 bytes of hex`, "Pass 0x + 64 hex digits.");
  return out;
}

const node = new Uint8Array(65);
node[0] = 0x01;

/** Inner node: `keccak256(0x01 ‖ left ‖ right)` (ordered, so the root commits to the order). */
function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  node.set(left, 1);
  node.set(right, 33);
  return keccak_256(node);
}

/** A streaming builder of the receipts root (see {@link createReceiptsRootBuilder}). */
export type ReceiptsRootBuilder = {
  /** Appends the next receipt's hash (`receiptHash(receipt)`). */
  push(receiptHash: Hex): void;
  /** Number of receipts pushed. */
  readonly count: number;
  /** The root of the receipts pushed so far ({@link EMPTY_RECEIPTS_ROOT} when none). Does not end the stream. */
  root(): Hex;
};

/**
 * Builds the epoch's receipts root while receipts stream by, holding O(log n) hashes and computing one
 * keccak256 per receipt (amortized). The tree is RFC 9162's (Certificate Transparency) over the receipt
 * hashes in order:
 *
 * - a leaf is the receipt hash itself, `keccak256(canonicalReceiptBytes(receipt))`;
 * - an inner node is `keccak256(0x01 ‖ left ‖ right)`;
 * - for n > 1 receipts, the left subtree holds the largest power of two < n receipts, the right one the rest;
 *   one receipt is its own root; none give {@link EMPTY_RECEIPTS_ROOT}.
 *
 * Leaf and node preimages cannot be confused: canonical receipt bytes start with `{`, node preimages with
 * 0x01. Ordered hashing commits to the order; the receipt ids are inside the hashed bytes.
 *
 * @example
 * const builder = createReceiptsRootBuilder();
 * for (const r of receipts) builder.push(receiptHash(r));
 * builder.root();
 */
export function createReceiptsRootBuilder(): ReceiptsRootBuilder {
  // Perfect subtrees, largest first: stack[k] has 2^heights[k] leaves (the binary digits of the count).
  const stack: Uint8Array[] = [];
  const heights: number[] = [];
  let count = 0;
  return {
    push(receiptHash) {
      let hash = bytes32("receipt hash", receiptHash);
      let height = 0;
      while (heights.length > 0 && heights[heights.length - 1] === height) {
        hash = hashNode(stack.pop()!, hash);
        heights.pop();
        height++;
      }
      stack.push(hash);
      heights.push(height);
      count++;
    },
    get count() {
      return count;
    },
    root() {
      if (stack.length === 0) return EMPTY_RECEIPTS_ROOT;
      let hash = stack[stack.length - 1]!;
      for (let k = stack.length - 2; k >= 0; k--) hash = hashNode(stack[k]!, hash);
      return bytesToHex(hash);
    },
  };
}

/**
 * The receipts root of `receiptHashes` in order (see {@link createReceiptsRootBuilder}).
 *
 * @example
 * computeReceiptsRoot(receipts.map((r) => receiptHash(r)));
 */
export function computeReceiptsRoot(receiptHashes: Iterable<Hex>): Hex {
  const builder = createReceiptsRootBuilder();
  for (const hash of receiptHashes) builder.push(hash);
  return builder.root();
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * RFC 9162 inclusion proof (audit path, from the leaf up) of the receipt at `index`, so a payer can show a
 * receipt is in an epoch with {@link verifyReceiptInclusion}. Holds all hashes (O(n log n) hashing).
 *
 * @example
 * const proof = receiptInclusionProof(hashes, 3);
 * verifyReceiptInclusion({ root, receiptHash: hashes[3], index: 3, count: hashes.length, proof }); // true
 */
export function receiptInclusionProof(receiptHashes: readonly Hex[], index: number): Hex[] {
  if (!Number.isInteger(index) || index < 0 || index >= receiptHashes.length) {
    fail(
      "INVALID_RECEIPT",
      `no receipt at index ${index} (epoch has ${receiptHashes.length})`,
      "Pass an index in range.",
    );
  }
  const leaves = receiptHashes.map((h) => bytes32("receipt hash", h));
  const subtreeRoot = (from: number, to: number): Uint8Array => {
    if (to - from === 1) return leaves[from]!;
    const k = largestPowerOfTwoBelow(to - from);
    return hashNode(subtreeRoot(from, from + k), subtreeRoot(from + k, to));
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
  path(index, 0, receiptHashes.length);
  return proof;
}

/** Parameters of {@link verifyReceiptInclusion}. */
export type VerifyReceiptInclusionParameters = {
  readonly root: Hex;
  readonly receiptHash: Hex;
  /** Position of the receipt in the epoch, from 0. */
  readonly index: number;
  /** Number of receipts in the epoch. */
  readonly count: number;
  readonly proof: readonly Hex[];
};

/**
 * Checks an RFC 9162 inclusion proof against a receipts root (algorithm of RFC 9162 §2.1.3.2). Returns
 * false, never throws, for a proof that does not fit.
 *
 * @example
 * verifyReceiptInclusion({ root: report.receiptsRoot, receiptHash: receiptHash(r), index, count, proof });
 */
export function verifyReceiptInclusion(parameters: VerifyReceiptInclusionParameters): boolean {
  const { index, count, proof } = parameters;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || index < 0 || index >= count)
    return false;
  if (!HEX32.test(parameters.receiptHash) || !HEX32.test(parameters.root)) return false;
  let fn = BigInt(index);
  let sn = BigInt(count - 1);
  let r = hexToBytes(parameters.receiptHash);
  for (const p of proof) {
    if (!HEX32.test(p) || sn === 0n) return false;
    const sibling = hexToBytes(p);
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashNode(sibling, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = hashNode(r, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && bytesToHex(r) === parameters.root.toLowerCase();
}
