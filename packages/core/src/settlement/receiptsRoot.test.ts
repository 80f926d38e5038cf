import fc from "fast-check";
import { concat, type Hex, keccak256 } from "viem";
import { describe, expect, it } from "vitest";
import {
  computeReceiptsRoot,
  createReceiptsRootBuilder,
  EMPTY_RECEIPTS_ROOT,
  receiptInclusionProof,
  verifyReceiptInclusion,
} from "./receiptsRoot.ts";
import { hex32 } from "./testing/fixtures.ts";

const leaf = (n: number): Hex => keccak256(hex32(n));
/** Inner node written with viem, independently of the builder: keccak256(0x01 ‖ l ‖ r). */
const node = (l: Hex, r: Hex): Hex => keccak256(concat(["0x01", l, r]));

/** RFC 9162 MTH written recursively, independently of the streaming builder. */
function reference(leaves: readonly Hex[], from = 0, to = leaves.length): Hex {
  if (to - from === 1) return leaves[from]!;
  let k = 1;
  while (k * 2 < to - from) k *= 2;
  return node(reference(leaves, from, from + k), reference(leaves, from + k, to));
}

describe("receipts root (fixed inputs)", () => {
  it("0, 1, 2, 3 and 5 receipts, shaped by hand", () => {
    const h = [0, 1, 2, 3, 4].map(leaf);
    expect(computeReceiptsRoot([])).toBe(EMPTY_RECEIPTS_ROOT);
    expect(computeReceiptsRoot(h.slice(0, 1))).toBe(h[0]);
    expect(computeReceiptsRoot(h.slice(0, 2))).toBe(node(h[0]!, h[1]!));
    // 3: left = the first 2, right = the third
    expect(computeReceiptsRoot(h.slice(0, 3))).toBe(node(node(h[0]!, h[1]!), h[2]!));
    // 5: left = a perfect tree of 4, right = the fifth
    expect(computeReceiptsRoot(h)).toBe(node(node(node(h[0]!, h[1]!), node(h[2]!, h[3]!)), h[4]!));
  });

  it("commits to the order: swapping two neighbours changes the root", () => {
    const h = [0, 1, 2].map(leaf);
    expect(computeReceiptsRoot([h[1]!, h[0]!, h[2]!])).not.toBe(computeReceiptsRoot(h));
  });

  it("root() can be read mid-stream", () => {
    const b = createReceiptsRootBuilder();
    const h = [0, 1, 2, 3].map(leaf);
    for (const x of h.slice(0, 3)) b.push(x);
    expect(b.root()).toBe(computeReceiptsRoot(h.slice(0, 3)));
    b.push(h[3]!);
    expect(b.root()).toBe(computeReceiptsRoot(h));
    expect(b.count).toBe(4);
  });

  it("refuses a receipt hash that is not 32 bytes of hex", () => {
    const b = createReceiptsRootBuilder();
    for (const bad of [
      `0x${"g".repeat(64)}`,
      `0x${"a".repeat(63)}`,
      `1x${"a".repeat(64)}`,
      `0x${"a".repeat(65)}`,
    ]) {
      expect(() => b.push(bad as Hex)).toThrow(/not 32 bytes of hex/);
    }
    b.push(`0x${"aB".repeat(32)}`);
    expect(b.root()).toBe(`0x${"ab".repeat(32)}`);
  });

  it("a proof of 5 receipts, by hand", () => {
    const h = [0, 1, 2, 3, 4].map(leaf);
    const root = computeReceiptsRoot(h);
    // receipt 2: sibling 3, then node(0, 1), then receipt 4
    expect(receiptInclusionProof(h, 2)).toEqual([h[3], node(h[0]!, h[1]!), h[4]]);
    expect(
      verifyReceiptInclusion({
        root,
        receiptHash: h[2]!,
        index: 2,
        count: 5,
        proof: receiptInclusionProof(h, 2),
      }),
    ).toBe(true);
    // receipt 4: sibling is the whole left subtree of 4
    expect(receiptInclusionProof(h, 4)).toEqual([computeReceiptsRoot(h.slice(0, 4))]);
  });
});

describe("receipts root (properties)", () => {
  it("streaming root = recursive RFC 9162 root; every proof verifies, and not at another index, for another hash or root", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), (n, pick) => {
        const h = Array.from({ length: n }, (_, i) => leaf(i));
        const root = computeReceiptsRoot(h);
        expect(root).toBe(reference(h));
        const i = pick % n;
        const proof = receiptInclusionProof(h, i);
        expect(verifyReceiptInclusion({ root, receiptHash: h[i]!, index: i, count: n, proof })).toBe(true);
        if (n > 1) {
          const j = (i + 1) % n;
          expect(verifyReceiptInclusion({ root, receiptHash: h[i]!, index: j, count: n, proof })).toBe(false);
          expect(verifyReceiptInclusion({ root, receiptHash: h[j]!, index: i, count: n, proof })).toBe(false);
        }
        expect(
          verifyReceiptInclusion({ root: leaf(999), receiptHash: h[i]!, index: i, count: n, proof }),
        ).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});
