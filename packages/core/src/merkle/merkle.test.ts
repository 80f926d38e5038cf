import { readFileSync } from "node:fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import fc from "fast-check";
import { getAddress, type Hex } from "viem";
import { describe, expect, it } from "vitest";
import {
  buildContributionsTree,
  buildCumulativeTree,
  createStandardMerkleTree,
  processProof,
  standardLeafHash,
} from "./index.ts";

type Vectors = {
  cases: {
    name: string;
    types: string[];
    values: string[][];
    root: Hex;
    leaves: { value: string[]; hash: Hex; proof: Hex[] }[];
  }[];
};
const vectors = JSON.parse(
  readFileSync(new URL("../../../../contracts/test/vectors/merkle.json", import.meta.url), "utf8"),
) as Vectors;

const parse = (types: string[], value: string[]) =>
  value.map((v, i) => (types[i]!.startsWith("uint") ? BigInt(v) : v));

describe("StandardMerkleTree compatibility (shared vectors)", () => {
  for (const c of vectors.cases) {
    it(`${c.name}: same root, leaf hashes and proofs as the reference`, () => {
      const values = c.values.map((v) => parse(c.types, v));
      const tree = createStandardMerkleTree(c.types, values);
      expect(tree.root).toBe(c.root);
      for (const leaf of c.leaves) {
        const i = c.values.findIndex((v) => v.join() === leaf.value.join());
        expect(tree.leafHash(i)).toBe(leaf.hash);
        expect(standardLeafHash(c.types, parse(c.types, leaf.value))).toBe(leaf.hash);
        expect(tree.proof(i)).toEqual(leaf.proof);
        expect(processProof(leaf.hash, tree.proof(i))).toBe(c.root);
      }
    });
  }
});

const arbAccount = fc
  .uint8Array({ minLength: 20, maxLength: 20 })
  .map((b) => getAddress(`0x${Buffer.from(b).toString("hex")}`));
const arbEntries = fc.uniqueArray(
  fc.record({ account: arbAccount, amount: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }) }),
  {
    minLength: 1,
    maxLength: 40,
    selector: (e) => e.account.toLowerCase(),
  },
);

describe("buildCumulativeTree", () => {
  it("matches @openzeppelin/merkle-tree and every proof verifies there (property)", () => {
    fc.assert(
      fc.property(arbEntries, (entries) => {
        const ours = buildCumulativeTree(entries);
        const ref = StandardMerkleTree.of(
          ours.entries.map((e) => [e.account, e.amount]),
          ["address", "uint256"],
        );
        expect(ours.root).toBe(ref.root);
        for (const e of entries) {
          expect(
            StandardMerkleTree.verify(
              ref.root,
              ["address", "uint256"],
              [e.account, e.amount],
              ours.proofOf(e.account),
            ),
          ).toBe(true);
        }
        expect(ours.total).toBe(entries.reduce((s, e) => s + e.amount, 0n));
      }),
      { numRuns: 60 },
    );
  });

  it("gives the same root whatever the input order", () => {
    fc.assert(
      fc.property(arbEntries, fc.integer(), (entries, seed) => {
        const shuffled = [...entries].sort(
          (a, b) =>
            (a.account.charCodeAt(5 + (seed & 7)) ^ seed) - (b.account.charCodeAt(5 + (seed & 7)) ^ seed),
        );
        expect(buildCumulativeTree(shuffled).root).toBe(buildCumulativeTree(entries).root);
      }),
      { numRuns: 30 },
    );
  });

  it("refuses duplicate accounts, also in another letter case", () => {
    const a = "0x00000000000000000000000000000000000000aa";
    expect(() =>
      buildCumulativeTree([
        { account: a, amount: 1n },
        { account: getAddress(a), amount: 2n },
      ]),
    ).toThrow(/duplicate account/);
  });

  it("refuses negative amounts and empty trees", () => {
    expect(() =>
      buildCumulativeTree([{ account: "0x00000000000000000000000000000000000000aa", amount: -1n }]),
    ).toThrow(/negative/);
    expect(() => buildCumulativeTree([])).toThrow(/at least one leaf/);
  });

  it("a proof for one account does not verify another account or amount", () => {
    const entries = Array.from({ length: 9 }, (_, i) => ({
      account: getAddress(`0x${(i + 1).toString(16).padStart(40, "0")}`),
      amount: BigInt(i * 3 + 1),
    }));
    const t = buildCumulativeTree(entries);
    const proof = t.proofOf(entries[2]!.account);
    expect(
      processProof(
        standardLeafHash(["address", "uint256"], [entries[2]!.account, entries[2]!.amount]),
        proof,
      ),
    ).toBe(t.root);
    expect(
      processProof(
        standardLeafHash(["address", "uint256"], [entries[2]!.account, entries[2]!.amount + 1n]),
        proof,
      ),
    ).not.toBe(t.root);
    expect(
      processProof(
        standardLeafHash(["address", "uint256"], [entries[3]!.account, entries[2]!.amount]),
        proof,
      ),
    ).not.toBe(t.root);
  });
});

describe("buildContributionsTree", () => {
  it("orders leaves by contribution id and matches the reference", () => {
    const leaves = [3n, 1n, 2n].map((id) => ({
      contributionId: id,
      contentHash: `0x${id.toString(16).padStart(64, "0")}` as Hex,
      contributor: getAddress(`0x${(id * 7n).toString(16).padStart(40, "0")}`),
    }));
    const ours = buildContributionsTree(leaves);
    expect(ours.leaves.map((l) => l.contributionId)).toEqual([1n, 2n, 3n]);
    const ref = StandardMerkleTree.of(
      ours.leaves.map((l) => [l.contributionId, l.contentHash, l.contributor]),
      ["uint256", "bytes32", "address"],
    );
    expect(ours.root).toBe(ref.root);
  });

  it("refuses a contribution twice", () => {
    const leaf = {
      contributionId: 1n,
      contentHash: `0x${"11".repeat(32)}` as Hex,
      contributor: getAddress(`0x${"22".repeat(20)}`),
    };
    expect(() => buildContributionsTree([leaf, leaf])).toThrow(/appears twice/);
  });
});
