/**
 * Writes contracts/test/vectors/merkle.json: Merkle leaves, roots and proofs computed by the
 * reference implementation (`@openzeppelin/merkle-tree`), not by our code, so that both our
 * TypeScript trees and our Solidity leaf library are checked against an independent source.
 * Deterministic: fixed inputs, no randomness. Run: `npx tsx contracts/scripts/merkle-vectors.ts`.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { contractsRoot } from "./compile.ts";

const MAX = (1n << 256n) - 1n;
const addr = (i: number) =>
  `0x${(BigInt(i) * 0x1f3a5b7c9d2e4f6071829384n + 0xabcdn).toString(16).padStart(40, "0").slice(-40)}`;
const hash = (i: number) =>
  `0x${(BigInt(i + 1) * 0x9e3779b97f4a7c15f39cc0605cedc834n).toString(16).padStart(64, "0").slice(-64)}`;

type Case = {
  name: string;
  types: string[];
  values: string[][];
  root: string;
  leaves: { value: string[]; hash: string; proof: string[] }[];
};

function makeCase(name: string, types: string[], values: (string | bigint)[][]): Case {
  const tree = StandardMerkleTree.of(values, types);
  const leaves = [...tree.entries()].map(([i, v]) => ({
    value: v.map(String),
    hash: tree.leafHash(v),
    proof: tree.getProof(i),
  }));
  return { name, types, values: values.map((v) => v.map(String)), root: tree.root, leaves };
}

const cumulative = ["address", "uint256"];
const contribution = ["uint256", "bytes32", "address"];
const cases: Case[] = [
  makeCase("cumulative-1", cumulative, [[addr(1), 1n]]),
  makeCase("cumulative-2", cumulative, [
    [addr(1), 0n],
    [addr(2), MAX],
  ]),
  makeCase("cumulative-3", cumulative, [
    [addr(3), 5n],
    [addr(1), 7n],
    [addr(2), 11n],
  ]),
  makeCase(
    "cumulative-17",
    cumulative,
    Array.from({ length: 17 }, (_, i) => [addr(i + 10), BigInt(i) * 10n ** 18n + 1n]),
  ),
  makeCase("contribution-1", contribution, [[1n, hash(1), addr(1)]]),
  makeCase(
    "contribution-5",
    contribution,
    Array.from({ length: 5 }, (_, i) => [BigInt(i + 1), hash(i), addr(i % 2)]),
  ),
];

const path = join(contractsRoot, "test", "vectors", "merkle.json");
writeFileSync(
  path,
  `${JSON.stringify({ generator: "@openzeppelin/merkle-tree StandardMerkleTree", cases }, null, 2)}\n`,
);
console.log(`wrote ${cases.length} cases to ${path}`);
