/**
 * Gas of the Settlement hot paths, measured on anvil with receipts' gasUsed (what a user pays):
 * claims with 17-deep proofs out of a 100,000-leaf rewards tree, and submitEpoch at quorum 1 and 3.
 * Prints the figures; `npm run bench:gas` is the benchmark of record, this test guards against regressions.
 *
 * For an honest anchor it also compiles (solc-js, here in the test) a distributor built exactly like
 * Uniswap's merkle-distributor (index bitmap, packed leaf, memory proof, plain transfer) and measures it on
 * the same chain, same token, same accounts: the published 78,598 figure predates EIP-2929 (Berlin),
 * which made every first (cold) storage and account access dearer.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { settlementAbi, tributaryTokenAbi } from "@tributary/abi";
import {
  type Abi,
  type Address,
  encodePacked,
  type Hex,
  keccak256,
  type TransactionReceipt,
  toHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildCumulativeTree } from "../../packages/core/src/merkle/index.ts";
import { type EpochReport, signEpochReport } from "../../packages/sdk/src/actions/settlement.ts";
import { mined, setupTestChain, type TestChain } from "./fixture.ts";

const LEAVES = 100_000;
const SAMPLES = 20;
const E18 = 10n ** 18n;
/** Anchor: Uniswap merkle-distributor, average per claim on a 100,000-leaf tree (Istanbul gas schedule). */
const UNISWAP_ANCHOR = 78_598;

/** Deterministic pseudo-random accounts and amounts, so every run measures the same thing. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    s ^= s >>> 13;
    return s >>> 0;
  };
}
function randomAccounts(n: number, seed: number): Address[] {
  const next = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 5 }, () => next().toString(16).padStart(8, "0")).join("");
    return `0x${(words.slice(0, 32) + i.toString(16).padStart(8, "0")).slice(0, 40)}` as Address;
  });
}

type Tree = { root: Hex; proofAt(i: number): Hex[] };
/** The cumulative tree of packages/core (StandardMerkleTree-compatible), addressed by our account index. */
function cumulativeTree(accounts: Address[], amounts: bigint[]): Tree {
  const t = buildCumulativeTree(accounts.map((account, i) => ({ account, amount: amounts[i]! })));
  return { root: t.root, proofAt: (i) => t.proofOf(accounts[i]!) };
}

const avg = (xs: number[]) => Math.round(xs.reduce((s, x) => s + x, 0) / xs.length);

describe("Settlement gas", () => {
  let chain: TestChain;
  let S: Address;
  let T: Address;
  const accounts = randomAccounts(LEAVES, 1);
  const amounts1 = accounts.map((_, i) => E18 + BigInt(i));
  const amounts2 = amounts1.map((a) => a * 2n);
  const total1 = amounts1.reduce((s, a) => s + a, 0n);
  const total2 = amounts2.reduce((s, a) => s + a, 0n);
  let tree1: Tree;
  let tree2: Tree;
  // Leaves deep in the tree (17 siblings): 68,928 of the 100,000 leaves sit at the last level.
  let sample: number[] = [];
  const figures: Record<string, number> = {};

  const writeS = async (from: number, functionName: string, args: readonly unknown[]) => {
    const hash = await chain.wallets[from]!.writeContract({
      address: S,
      abi: settlementAbi,
      functionName,
      args,
    } as never);
    return mined(chain, hash);
  };
  const report = (
    epoch: bigint,
    rewardsRoot: Hex,
    charged: bigint,
    rewards: bigint,
    bundleURI = "ipfs://bundle",
  ): EpochReport => ({
    epoch,
    chargesRoot: keccak256(toHex(`charges-${epoch}`)),
    rewardsRoot,
    cumulativeCharged: charged,
    cumulativeRewards: rewards,
    receiptsRoot: keccak256(toHex(`receipts-${epoch}`)),
    bundleURI,
  });
  const submitAndFinalize = async (r: EpochReport) => {
    const sig = await signEpochReport(chain.accounts[3]!, chain.publicClient.chain.id, S, r);
    const receipt = await writeS(9, "submitEpoch", [r, [sig]]);
    await chain.testClient.increaseTime({ seconds: 3600 });
    await chain.testClient.mine({ blocks: 1 });
    await writeS(9, "finalizeEpoch", [r.epoch]);
    return receipt;
  };

  beforeAll(async () => {
    chain = await setupTestChain();
    S = chain.deployment.contracts.settlement;
    T = chain.deployment.contracts.token;
    tree1 = cumulativeTree(accounts, amounts1);
    tree2 = cumulativeTree(accounts, amounts2);
    sample = [];
    for (let i = 0; sample.length < SAMPLES; i += 997) if (tree1.proofAt(i).length === 17) sample.push(i);
    expect(sample).toHaveLength(SAMPLES);
    const payer = chain.accounts[6]!.address;
    await mined(
      chain,
      chain.wallets[0]!.writeContract({
        address: T,
        abi: tributaryTokenAbi,
        functionName: "mint",
        args: [payer, total2],
      }),
    );
    await mined(
      chain,
      chain.wallets[6]!.writeContract({
        address: T,
        abi: tributaryTokenAbi,
        functionName: "approve",
        args: [S, total2],
      }),
    );
    await writeS(6, "deposit", [total2]);
  }, 180_000);
  afterAll(async () => {
    console.log(`Settlement gas (anvil, ${LEAVES} leaves, ${SAMPLES} samples):`, figures);
    await chain?.stop();
  });

  it("claims with 17-deep proofs: first claim to fresh accounts, to token holders, and repeat claims", async () => {
    await submitAndFinalize(report(1n, tree1.root, total1, total1));
    const claim = (i: number, amount: bigint, proof: Hex[]) =>
      writeS(9, "claim", [accounts[i], amount, proof]);

    const fresh: number[] = [];
    const holders: number[] = [];
    for (const [k, i] of sample.entries()) {
      if (k % 2 === 1) {
        // A contributor that already holds some of the token: its balance slot is not fresh.
        await mined(
          chain,
          chain.wallets[0]!.writeContract({
            address: T,
            abi: tributaryTokenAbi,
            functionName: "mint",
            args: [accounts[i]!, 1n],
          }),
        );
      }
      const r = await claim(i, amounts1[i]!, tree1.proofAt(i));
      expect(tree1.proofAt(i)).toHaveLength(17);
      (k % 2 === 1 ? holders : fresh).push(Number(r.gasUsed));
    }
    await submitAndFinalize(report(2n, tree2.root, total2, total2));
    const repeat: number[] = [];
    for (const i of sample) repeat.push(Number((await claim(i, amounts2[i]!, tree2.proofAt(i))).gasUsed));

    figures.claimFirstFreshAvg = avg(fresh);
    figures.claimFirstHolderAvg = avg(holders);
    figures.claimRepeatAvg = avg(repeat);
    // Goal: below 60,000. Measured 61,270 with the repository's legacy codegen; `viaIR: true` takes
    // about 1,800 gas off every claim (measured), which meets it. Guard the current figure meanwhile.
    expect(figures.claimRepeatAvg).toBeLessThan(61_500);
    expect(figures.claimFirstHolderAvg).toBeLessThan(UNISWAP_ANCHOR);
    // Two fresh storage slots (claimed amount, token balance) cost 2 x 22,100 gas on their own; measured 95,466.
    expect(figures.claimFirstFreshAvg).toBeLessThan(96_000);
  });

  it("a Uniswap-style distributor on the same chain, token and tree size, for comparison", async () => {
    const distributor = compileUniswapStyleDistributor();
    const leaves = accounts.map((a, i) =>
      keccak256(encodePacked(["uint256", "address", "uint256"], [BigInt(i), a, amounts1[i]!])),
    );
    const { root, proofAt } = sortedPairTree(leaves);
    const deployer = chain.wallets[0]!;
    const hash = await deployer.deployContract({
      abi: distributor.abi,
      bytecode: distributor.bytecode,
      args: [T, root],
    });
    const address = (await mined(chain, hash)).contractAddress!;
    await mined(
      chain,
      deployer.writeContract({
        address: T,
        abi: tributaryTokenAbi,
        functionName: "mint",
        args: [address, total1],
      }),
    );
    // Fresh recipients (a new sample, never paid before) and fresh bitmap words, like the first claim above.
    const fresh: number[] = [];
    for (let i = 500; fresh.length < SAMPLES; i += 2_999) {
      const proof = proofAt(i);
      const balance = await chain.publicClient.readContract({
        address: T,
        abi: tributaryTokenAbi,
        functionName: "balanceOf",
        args: [accounts[i]!],
      });
      if (proof.length !== 17 || balance !== 0n) continue;
      const h = await chain.wallets[9]!.writeContract({
        address,
        abi: distributor.abi,
        functionName: "claim",
        args: [BigInt(i), accounts[i]!, amounts1[i]!, proof],
      } as never);
      fresh.push(Number((await mined(chain, h)).gasUsed));
    }
    figures.uniswapStyleFirstFreshAvg = avg(fresh);
    // What Settlement pays on top of a single-use distributor: the cold read of a root that changes every
    // epoch (2,100; theirs is immutable) and the transient reentrancy guard (~490). Measured: +2,236.
    expect((figures.claimFirstFreshAvg ?? 0) - figures.uniswapStyleFirstFreshAvg).toBeLessThan(2_600);
  });

  it("submitEpoch gas does not depend on how many receipts or leaves the epoch has", async () => {
    const small = cumulativeTree(accounts.slice(0, 2), amounts2.slice(0, 2));
    const r3 = await submitAndFinalize(report(3n, small.root, total2, total2));
    const r4 = await submitAndFinalize(report(4n, tree1.root, total2, total2));
    figures.submitEpochQ1 = Number(r4.gasUsed);
    // Same calldata length; the only difference is the zero bytes of two roots (4 vs 16 gas a byte).
    expect(Math.abs(Number(r3.gasUsed) - Number(r4.gasUsed))).toBeLessThan(500);
  });

  it("submitEpoch at quorum 3", async () => {
    const q3 = await setupTestChain({ attestors: chain.roles.attestors, quorum: 3 });
    try {
      const s3 = q3.deployment.contracts.settlement;
      const r = report(1n, tree1.root, 0n, 0n);
      const sigs = await Promise.all(
        [3, 4, 5].map((i) => signEpochReport(q3.accounts[i]!, q3.publicClient.chain.id, s3, r)),
      );
      const first = await mined(
        q3,
        q3.wallets[9]!.writeContract({
          address: s3,
          abi: settlementAbi,
          functionName: "submitEpoch",
          args: [r, sigs],
        }),
      );
      figures.submitEpochQ3First = Number(first.gasUsed);
      await q3.testClient.increaseTime({ seconds: 3600 });
      await q3.testClient.mine({ blocks: 1 });
      await mined(
        q3,
        q3.wallets[9]!.writeContract({
          address: s3,
          abi: settlementAbi,
          functionName: "finalizeEpoch",
          args: [1n],
        }),
      );
      const r2 = { ...report(2n, tree2.root, 0n, 0n) };
      const sigs2 = await Promise.all(
        [5, 3, 4].map((i) => signEpochReport(q3.accounts[i]!, q3.publicClient.chain.id, s3, r2)),
      );
      const second: TransactionReceipt = await mined(
        q3,
        q3.wallets[9]!.writeContract({
          address: s3,
          abi: settlementAbi,
          functionName: "submitEpoch",
          args: [r2, sigs2],
        }),
      );
      figures.submitEpochQ3 = Number(second.gasUsed);
      expect(figures.submitEpochQ3 - (figures.submitEpochQ1 ?? 0)).toBeLessThan(20_000);
    } finally {
      await q3.stop();
    }
  }, 120_000);
});

/** The OpenZeppelin sorted-pair tree over precomputed leaves (what Uniswap's distributor verifies), by level arrays. */
function sortedPairTree(leaves: Hex[]) {
  const levels: Hex[][] = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const prev = levels[levels.length - 1]!;
    const next: Hex[] = [];
    for (let i = 0; i < prev.length; i += 2) {
      const a = prev[i]!;
      const b = prev[i + 1];
      if (b === undefined) next.push(a);
      else next.push(keccak256(a < b ? `${a}${b.slice(2)}` : (`${b}${a.slice(2)}` as Hex)));
    }
    levels.push(next);
  }
  return {
    root: levels[levels.length - 1]![0]!,
    proofAt(index: number): Hex[] {
      const proof: Hex[] = [];
      let i = index;
      for (let l = 0; l < levels.length - 1; l++) {
        const sibling = levels[l]![i ^ 1];
        if (sibling !== undefined) proof.push(sibling);
        i >>= 1;
      }
      return proof;
    },
  };
}

/** Compiles, with the repository's pinned solc-js and settings, a distributor built like Uniswap's merkle-distributor. */
function compileUniswapStyleDistributor(): { abi: Abi; bytecode: Hex } {
  const require = createRequire(import.meta.url);
  const solc = require("solc") as { compile(input: string, cb: object): string };
  const source = `// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
/// Same design as Uniswap's merkle-distributor: index bitmap, packed leaf, memory proof, plain transfer.
contract UniswapStyleDistributor {
    address public immutable token;
    bytes32 public immutable merkleRoot;
    mapping(uint256 => uint256) private claimedBitMap;
    event Claimed(uint256 index, address account, uint256 amount);
    constructor(address token_, bytes32 merkleRoot_) { token = token_; merkleRoot = merkleRoot_; }
    function isClaimed(uint256 index) public view returns (bool) {
        uint256 word = claimedBitMap[index / 256];
        uint256 mask = (1 << (index % 256));
        return word & mask == mask;
    }
    function claim(uint256 index, address account, uint256 amount, bytes32[] calldata merkleProof) external {
        require(!isClaimed(index), "already claimed");
        bytes32 node = keccak256(abi.encodePacked(index, account, amount));
        require(MerkleProof.verify(merkleProof, merkleRoot, node), "invalid proof");
        claimedBitMap[index / 256] = claimedBitMap[index / 256] | (1 << (index % 256));
        require(IERC20(token).transfer(account, amount), "transfer failed");
        emit Claimed(index, account, amount);
    }
}`;
  const root = join(import.meta.dirname, "../..");
  const input = {
    language: "Solidity",
    sources: { "UniswapStyleDistributor.sol": { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 20_000 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const out = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (p: string) => ({ contents: readFileSync(join(root, "node_modules", p), "utf8") }),
    }),
  ) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>;
  };
  const errors = (out.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  const c = out.contracts["UniswapStyleDistributor.sol"]!.UniswapStyleDistributor!;
  return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
}
