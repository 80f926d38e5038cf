import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { bytesToHex, type Hex, hexToBytes } from "viem";
import { describe, expect, it } from "vitest";
import { hashPair, processProof, standardLeafHash } from "../merkle/index.ts";
import {
  computeReceiptsRoot,
  createReceiptsRootBuilder,
  EMPTY_RECEIPTS_ROOT,
  type ReceiptLeaf,
  receiptInclusionProof,
  receiptLeafHash,
} from "./receiptsRoot.ts";
import { hex32 } from "./testing/fixtures.ts";

const TYPES = ["uint256", "bytes32", "bytes32"];
const leafOf = (n: number): ReceiptLeaf => ({ id: hex32(1000 + n), hash: hex32(n * 7919 + 1) });
const pair = (a: Hex, b: Hex) => bytesToHex(hashPair(hexToBytes(a), hexToBytes(b)));

/** RFC 6962 MTH written recursively, independently of the streaming builder. */
function reference(leaves: readonly ReceiptLeaf[], from = 0, to = leaves.length): Hex {
  if (to - from === 1) return standardLeafHash(TYPES, [BigInt(from), leaves[from]!.id, leaves[from]!.hash]);
  let k = 1;
  while (k * 2 < to - from) k *= 2;
  return pair(reference(leaves, from, from + k), reference(leaves, from + k, to));
}

describe("receipts root (fixed inputs)", () => {
  it("leaf = OpenZeppelin standard leaf of (index, id, hash)", () => {
    const l = leafOf(3);
    expect(receiptLeafHash(5, l)).toBe(standardLeafHash(TYPES, [5n, l.id, l.hash]));
  });

  it("0, 1, 3 and 5 leaves, shaped by hand", () => {
    const L = [0, 1, 2, 3, 4].map(leafOf);
    const h = L.map((l, i) => receiptLeafHash(i, l));
    expect(computeReceiptsRoot([])).toBe(EMPTY_RECEIPTS_ROOT);
    expect(computeReceiptsRoot(L.slice(0, 1))).toBe(h[0]);
    // 3 leaves: left = the 2 first, right = the third
    expect(computeReceiptsRoot(L.slice(0, 3))).toBe(pair(pair(h[0]!, h[1]!), h[2]!));
    // 5 leaves: left = 4 (a perfect tree), right = the fifth
    expect(computeReceiptsRoot(L)).toBe(pair(pair(pair(h[0]!, h[1]!), pair(h[2]!, h[3]!)), h[4]!));
  });

  it("commits to the order: swapping two receipts changes the root", () => {
    const L = [0, 1, 2].map(leafOf);
    expect(computeReceiptsRoot([L[1]!, L[0]!, L[2]!])).not.toBe(computeReceiptsRoot(L));
  });

  it("root() can be read mid-stream", () => {
    const b = createReceiptsRootBuilder();
    const L = [0, 1, 2, 3].map(leafOf);
    b.push(L[0]!);
    b.push(L[1]!);
    b.push(L[2]!);
    expect(b.root()).toBe(computeReceiptsRoot(L.slice(0, 3)));
    b.push(L[3]!);
    expect(b.root()).toBe(computeReceiptsRoot(L));
    expect(b.count).toBe(4);
  });
});

describe("receipts root (properties)", () => {
  it("streaming root = recursive RFC 6962 root; every proof verifies, also with @openzeppelin/merkle-tree", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (n, pick) => {
        const L = Array.from({ length: n }, (_, i) => leafOf(i));
        const root = computeReceiptsRoot(L);
        expect(root).toBe(reference(L));
        const i = pick % n;
        const proof = receiptInclusionProof(L, i);
        expect(processProof(receiptLeafHash(i, L[i]!), proof)).toBe(root);
        expect(StandardMerkleTree.verify(root, TYPES, [BigInt(i), L[i]!.id, L[i]!.hash], proof)).toBe(true);
        // the same receipt claimed at another position does not verify
        expect(processProof(receiptLeafHash(i + 1, L[i]!), proof)).not.toBe(root);
      }),
      { numRuns: 120 },
    );
  });
});
