/**
 * `npm run bench:gas`: gas of every main operation on a real anvil, written to bench/results/gas.json.
 *
 * Claims are measured on a 100,000-leaf cumulative rewards tree with random (fresh) accounts, first
 * and repeat claims, against a one-shot airdrop distributor (index, account, amount; claimed bitmap)
 * measured on the same chain with the same tree size, so both numbers use the same gas schedule.
 * submitEpoch is measured for quorum 1 and 3 and for trees of 10 and 100,000 leaves, to show its
 * cost does not depend on how many receipts or accounts an epoch holds.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import {
  agentRegistryAbi,
  datanetRegistryAbi,
  modelRegistryAbi,
  settlementAbi,
  tributaryTokenAbi,
} from "@tributary/abi";
import { deployTributary, startAnvil } from "@tributary/chain";
import { buildCumulativeTree, createStandardMerkleTree } from "@tributary/core";
import { type EpochReport, signEpochReport } from "@tributary/sdk";
import {
  type Abi,
  type Address,
  type Chain,
  createPublicClient,
  createTestClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  keccak256,
  toHex,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";

const LEAVES = Number(process.env.GAS_BENCH_LEAVES ?? 100_000);
const CLAIMS = Number(process.env.GAS_BENCH_CLAIMS ?? 100);
const ANCHOR_MERKLE_DISTRIBUTOR = 78_598;

/** Deterministic PRNG (splitmix64) so every run measures the same accounts and amounts. */
function prng(seed: bigint) {
  let s = seed;
  return () => {
    s = (s + 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    let z = s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & 0xffffffffffffffffn;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & 0xffffffffffffffffn;
    return z ^ (z >> 31n);
  };
}

const log = (s: string) => process.stderr.write(`${s}\n`);
const avg = (xs: bigint[]) => Number(xs.reduce((a, b) => a + b, 0n) / BigInt(xs.length));

async function main() {
  const anvil = await startAnvil({ extraArgs: ["--gas-limit", "60000000"] });
  try {
    const accounts = Array.from({ length: 10 }, (_, i) =>
      mnemonicToAccount("test test test test test test test test test test test junk", { addressIndex: i }),
    );
    const chain = { ...foundry, rpcUrls: { default: { http: [anvil.rpcUrl] } } } as Chain;
    const transport = http(anvil.rpcUrl);
    const pub = createPublicClient({ chain, transport, pollingInterval: 20 });
    const test = createTestClient({ chain, transport, mode: "anvil" });
    const wallet = (i: number) => createWalletClient({ chain, transport, account: accounts[i]! });
    const owner = wallet(0);
    const a = (i: number) => accounts[i]!.address;
    const attestors = [accounts[3]!, accounts[4]!, accounts[5]!];
    const d = await deployTributary({
      rpcUrl: anvil.rpcUrl,
      account: accounts[0]!,
      chain,
      config: {
        owner: a(0),
        treasury: a(1),
        guardian: a(2),
        attestors: attestors.map((x) => x.address),
        quorum: 1,
        challengeWindow: 60n,
        withdrawalDelay: 600n,
        protocolFeeBps: 500,
      },
    });
    const c = d.contracts;
    const send = async (
      i: number,
      address: Address,
      abi: Abi,
      functionName: string,
      args: readonly unknown[],
    ) => {
      const hash = await wallet(i).writeContract({ address, abi, functionName, args } as never);
      const r = await pub.waitForTransactionReceipt({ hash });
      if (r.status !== "success") throw new Error(`${functionName} reverted`);
      return r.gasUsed;
    };

    // ---------------------------------------------------------------- registries
    log("registries ...");
    const policy = {
      curated: true,
      minStake: 0n,
      licenseId: toHex("CC-BY-4.0", { size: 32 }),
      refundStakeOnAccept: true,
    };
    const createDatanet = await send(0, c.datanetRegistry, datanetRegistryAbi, "createDatanet", [
      "ipfs://datanet",
      policy,
    ]);
    const h = (s: string) => keccak256(toHex(s));
    const contributeSamples: bigint[] = [];
    for (let i = 0; i < 10; i++) {
      contributeSamples.push(
        await send(6, c.datanetRegistry, datanetRegistryAbi, "contribute", [
          1n,
          h(`single-${i}`),
          4096n,
          `ipfs://single-${i}`,
        ]),
      );
    }
    const batch = Array.from({ length: 100 }, (_, i) => h(`batch-${i}`));
    const batchGas = await send(7, c.datanetRegistry, datanetRegistryAbi, "contributeBatch", [
      1n,
      batch,
      batch.map(() => 4096n),
      batch.map((_, i) => `ipfs://batch-${i}`),
    ]);
    const review = await send(0, c.datanetRegistry, datanetRegistryAbi, "review", [
      1n,
      Array.from({ length: 100 }, (_, i) => BigInt(i + 11)),
      Array.from({ length: 100 }, () => 0),
    ]);
    const publishVersion = await send(0, c.datanetRegistry, datanetRegistryAbi, "publishVersion", [
      1n,
      h("root"),
      100n,
      "ipfs://bafkreimanifest",
    ]);
    const registerModel = await send(0, c.modelRegistry, modelRegistryAbi, "registerModel", [
      "ipfs://model",
      h("artifact"),
      "infinigram",
      [{ datanetId: 1n, version: 1n }],
      { perCall: 10n ** 15n, per1kOutputTokens: 10n ** 16n, per1kInputTokens: 10n ** 15n },
      { ownerBps: 3000, dataBps: 7000 },
    ]);
    const registerAgent = await send(8, c.agentRegistry, agentRegistryAbi, "registerAgent", [
      "ipfs://agent-card",
      [1n],
      500,
    ]);

    // ---------------------------------------------------------------- settlement
    log(`building a ${LEAVES.toLocaleString()}-leaf rewards tree ...`);
    const rand = prng(42n);
    const claimants: Address[] = [];
    const amounts1 = new Map<Address, bigint>();
    while (claimants.length < LEAVES) {
      const addr = getAddress(
        `0x${(rand().toString(16).padStart(16, "0") + rand().toString(16).padStart(16, "0") + rand().toString(16).padStart(8, "0")).slice(0, 40)}`,
      );
      if (amounts1.has(addr)) continue;
      claimants.push(addr);
      amounts1.set(addr, 10n ** 15n + (rand() % 10n ** 18n));
    }
    const total1 = [...amounts1.values()].reduce((s, x) => s + x, 0n);
    const payer = a(6);
    const deposit = total1 * 3n;
    await send(0, c.token, tributaryTokenAbi, "mint", [payer, deposit]);
    await send(6, c.token, tributaryTokenAbi, "approve", [c.settlement, deposit]);
    const depositGas = await send(6, c.settlement, settlementAbi, "deposit", [deposit]);

    const t0 = Date.now();
    const rewards1 = buildCumulativeTree(
      claimants.map((account) => ({ account, amount: amounts1.get(account)! })),
    );
    const treeBuildMs = Date.now() - t0;
    const charges1 = buildCumulativeTree([{ account: payer, amount: total1 }]);
    const report = (
      epoch: bigint,
      rewardsRoot: Hex,
      chargesRoot: Hex,
      charged: bigint,
      rewarded: bigint,
    ): EpochReport => ({
      epoch,
      chargesRoot,
      rewardsRoot,
      cumulativeCharged: charged,
      cumulativeRewards: rewarded,
      receiptsRoot: h(`receipts-${epoch}`),
      bundleURI: `ipfs://bafkreibundle${epoch}`,
    });
    const submit = async (r: EpochReport, signers: number) => {
      const sigs = await Promise.all(
        attestors.slice(0, signers).map((s) => signEpochReport(s, anvil.chainId, c.settlement, r)),
      );
      return await send(0, c.settlement, settlementAbi, "submitEpoch", [r, sigs]);
    };
    const finalize = async (epoch: bigint) => {
      await test.increaseTime({ seconds: 61 });
      await test.mine({ blocks: 1 });
      return await send(0, c.settlement, settlementAbi, "finalizeEpoch", [epoch]);
    };

    // Epochs 1 to 3 warm the contract's storage (first writes cost more and happen once in its life).
    // Epochs 4 (10-leaf tree) and 5 (100k-leaf tree) are then measured under the same conditions:
    // the report is a fixed-size struct, so its cost cannot depend on the tree behind the root.
    // Each epoch gets its own small tree: re-writing an unchanged root into storage would cost 2,800 gas
    // less (EIP-2200 no-op store) and flatter the comparison.
    const small = (n: bigint) =>
      buildCumulativeTree(claimants.slice(0, 10).map((account) => ({ account, amount: n })));
    const chargesOf = (total: bigint) => buildCumulativeTree([{ account: payer, amount: total }]).root;
    const submitFirstEver = await submit(report(1n, small(1n).root, chargesOf(10n), 10n, 10n), 1);
    const finalizeEpoch = await finalize(1n);
    await submit(report(2n, small(2n).root, chargesOf(20n), 20n, 20n), 1);
    await finalize(2n);
    await submit(report(3n, small(3n).root, chargesOf(total1 - 2n), total1 - 2n, total1 - 2n), 1);
    await finalize(3n);
    const submitSmallQ1 = await submit(
      report(4n, small(4n).root, chargesOf(total1 - 1n), total1 - 1n, total1 - 1n),
      1,
    );
    await finalize(4n);
    const submitQ1 = await submit(report(5n, rewards1.root, charges1.root, total1, total1), 1);
    await finalize(5n);

    log(`claiming for ${CLAIMS} random accounts (first claims) ...`);
    const pick = claimants.filter((_, i) => i % Math.floor(LEAVES / CLAIMS) === 0).slice(0, CLAIMS);
    const first: bigint[] = [];
    for (const account of pick) {
      first.push(
        await send(9, c.settlement, settlementAbi, "claim", [
          account,
          amounts1.get(account)!,
          rewards1.proofOf(account),
        ]),
      );
    }
    const proofDepth = rewards1.proofOf(pick[0]!).length;

    // Epoch 3: everyone earned more; quorum 3. The same accounts claim again (repeat claims).
    await send(0, c.settlement, settlementAbi, "setQuorum", [3n]);
    const amounts2 = new Map([...amounts1].map(([k, v]) => [k, v + 10n ** 14n]));
    const total2 = [...amounts2.values()].reduce((s, x) => s + x, 0n);
    const rewards2 = buildCumulativeTree(
      claimants.map((account) => ({ account, amount: amounts2.get(account)! })),
    );
    const charges2 = buildCumulativeTree([{ account: payer, amount: total2 }]);
    const submitQ3 = await submit(report(6n, rewards2.root, charges2.root, total2, total2), 3);
    await finalize(6n);
    log("repeat claims ...");
    const repeat: bigint[] = [];
    for (const account of pick) {
      repeat.push(
        await send(9, c.settlement, settlementAbi, "claim", [
          account,
          amounts2.get(account)!,
          rewards2.proofOf(account),
        ]),
      );
    }

    // ---------------------------------------------------------------- baseline distributor
    log("baseline: one-shot airdrop distributor on the same tree size ...");
    const harness = JSON.parse(
      readFileSync(new URL("../contracts/out/harness.json", import.meta.url), "utf8"),
    ) as Record<string, { abi: Abi; bytecode: Hex }>;
    const base = harness.BaselineDistributor!;
    const values = claimants.map((account, i) => [BigInt(i), account, amounts1.get(account)!] as const);
    const baseTree = createStandardMerkleTree(["uint256", "address", "uint256"], values);
    const deployHash = await owner.deployContract({
      abi: base.abi,
      bytecode: base.bytecode,
      args: [c.token, baseTree.root],
    });
    const baseAddress = (await pub.waitForTransactionReceipt({ hash: deployHash })).contractAddress!;
    await send(0, c.token, tributaryTokenAbi, "mint", [baseAddress, total1]);
    // Fresh accounts for the baseline too (a second disjoint sample), so no recipient already holds tokens.
    const basePick = claimants
      .map((_, i) => i)
      .filter((i) => i % Math.floor(LEAVES / CLAIMS) === 1)
      .slice(0, CLAIMS);
    const baseline: bigint[] = [];
    for (const i of basePick) {
      const [idx, account, amount] = values[i]!;
      baseline.push(await send(9, baseAddress, base.abi, "claim", [idx, account, amount, baseTree.proof(i)]));
    }

    const results = {
      network: "anvil (Prague rules), solc 0.8.30 via IR, optimizer 20000 runs, evm cancun",
      leaves: LEAVES,
      claimsMeasured: CLAIMS,
      proofDepth,
      claimFirstAvg: avg(first),
      claimRepeatAvg: avg(repeat),
      baselineDistributorClaimAvg: avg(baseline),
      anchorMerkleDistributor: ANCHOR_MERKLE_DISTRIBUTOR,
      submitEpoch: Number(submitQ1),
      submitEpochQuorum1: Number(submitQ1),
      submitEpochQuorum3: Number(submitQ3),
      submitEpochQuorum1TenLeafTree: Number(submitSmallQ1),
      submitEpochFirstEver: Number(submitFirstEver),
      finalizeEpoch: Number(finalizeEpoch),
      deposit: Number(depositGas),
      createDatanet: Number(createDatanet),
      contribute: avg(contributeSamples),
      contributeBatchPer: Number(batchGas / 100n),
      reviewPerContribution: Number(review / 100n),
      publishVersion: Number(publishVersion),
      registerModel: Number(registerModel),
      registerAgent: Number(registerAgent),
      rewardsTreeBuildMs: treeBuildMs,
    };
    mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
    writeFileSync(new URL("./results/gas.json", import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
    const rows: [string, number | string][] = [
      [
        `claim, first (avg of ${CLAIMS}, ${LEAVES.toLocaleString()}-leaf tree, depth ${proofDepth})`,
        results.claimFirstAvg,
      ],
      ["claim, repeat (same accounts, next epoch)", results.claimRepeatAvg],
      ["baseline one-shot distributor claim, same chain rules", results.baselineDistributorClaimAvg],
      ["anchor: Uniswap merkle-distributor (2020 gas schedule)", ANCHOR_MERKLE_DISTRIBUTOR],
      [`submitEpoch, quorum 1 (${LEAVES.toLocaleString()}-leaf tree)`, results.submitEpochQuorum1],
      ["submitEpoch, quorum 1 (10-leaf tree)", results.submitEpochQuorum1TenLeafTree],
      ["submitEpoch, quorum 3", results.submitEpochQuorum3],
      ["submitEpoch, first report of a deployment (cold storage)", results.submitEpochFirstEver],
      ["finalizeEpoch", results.finalizeEpoch],
      ["deposit", results.deposit],
      ["createDatanet", results.createDatanet],
      ["contribute (single)", results.contribute],
      ["contributeBatch, per hash (batch of 100)", results.contributeBatchPer],
      ["review, per contribution (batch of 100)", results.reviewPerContribution],
      ["publishVersion", results.publishVersion],
      ["registerModel", results.registerModel],
      ["registerAgent", results.registerAgent],
    ];
    console.log("\noperation                                                         gas");
    for (const [k, v] of rows) console.log(`${k.padEnd(62)}${String(v).padStart(9)}`);
    console.log("\nwritten to bench/results/gas.json");
  } finally {
    await anvil.stop();
  }
}

await main();
