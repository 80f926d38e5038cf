/**
 * Throughput of the pure epoch core: `createEpochAggregator().add()` over N receipts spread over ~10,000
 * distinct accounts (2,000 payers, 7,997 contributor payouts, treasury, owner, agent), then `finish()`
 * (both cumulative trees and the receipts root). Receipts are made from a pool of 20,000 real splits
 * (`splitFee`, 1–3 attributed contributions, an agent on one in five) with a fresh id each, streamed from a
 * generator: the aggregator never holds them. The figure includes making each receipt object.
 *
 *   npx tsx bench/epoch-core.ts [--receipts 1000000] [--hash given|computed]
 *
 * `--hash given` (default) passes each receipt's hash to `add`, as the node does (it hashed the receipt to
 * sign it); `--hash computed` makes the aggregator serialize and hash every receipt itself.
 * Prints wall and CPU seconds (CPU time is the fairer figure on a shared machine) and heap growth.
 */
import { type Address, getAddress, type Hex } from "viem";
import {
  computePrice,
  createEpochAggregator,
  type Receipt,
  receiptHash,
  splitFee,
} from "../packages/core/src/settlement/index.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const receiptsCount = Number(arg("--receipts", "1000000"));
const hashMode = arg("--hash", "given");
if (hashMode !== "given" && hashMode !== "computed") throw new Error("--hash is given or computed");

const address = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
const PAYERS = 2_000;
const CONTRIBUTIONS = 7_997;
const POOL = 20_000;
const treasury = address(0xfee0001);
const owner = address(0xfee0002);
const agentOperator = address(0xfee0003);
const payers = Array.from({ length: PAYERS }, (_, i) => address(0x100000 + i));
const contributions = new Map(
  Array.from(
    { length: CONTRIBUTIONS },
    (_, i) => [BigInt(i + 1), { payout: address(0x200000 + i) }] as const,
  ),
);

// xorshift32: a fixed, seedable pool
let seed = 0x9e3779b9;
const rand = (n: number) => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};

const pricing = { perCall: 10n ** 15n, per1kOutputTokens: 2n * 10n ** 16n, per1kInputTokens: 0n };
const pool: { receipt: Receipt; hash: Hex }[] = [];
for (let i = 0; i < POOL; i++) {
  const k = 1 + rand(3);
  const ids = new Set<bigint>();
  while (ids.size < k) ids.add(BigInt(1 + rand(CONTRIBUTIONS)));
  const idList = [...ids];
  const attribution = idList.map((contributionId, j) => ({
    contributionId,
    ppm:
      j === idList.length - 1 ? 1_000_000 - Math.floor(1_000_000 / k) * (k - 1) : Math.floor(1_000_000 / k),
  }));
  const agentFeeBps = rand(5) === 0 ? 250 : 0;
  const outputTokens = 1 + rand(512);
  const price = computePrice(pricing, outputTokens, 64);
  const split = splitFee({
    price,
    protocolFeeBps: 500,
    agentFeeBps,
    split: { ownerBps: 3_000, dataBps: 7_000 },
    attribution,
    contributions,
    fallback: [],
    treasury,
    owner,
    ...(agentFeeBps > 0 ? { agentOperator } : {}),
  });
  const receipt: Receipt = {
    version: 1,
    id: `0x${i.toString(16).padStart(64, "0")}`,
    payer: payers[i % PAYERS]!,
    modelId: 1n,
    ...(agentFeeBps > 0 ? { agentId: 3n } : {}),
    datanetVersions: [{ datanetId: 1n, version: 1n }],
    inputHash: `0x${"ab".repeat(32)}`,
    outputHash: `0x${"cd".repeat(32)}`,
    inputTokens: 64,
    outputTokens,
    pricing,
    split: { ownerBps: 3_000, dataBps: 7_000 },
    protocolFeeBps: 500,
    agentFeeBps,
    price,
    agentFee: split.agentFee,
    charged: split.charged,
    parts: split.parts,
    attribution: { algorithm: "span-v1", params: { maxCount: 64, minTokens: 8 }, contributions: attribution },
    timestamp: 1_700_000_000 + i,
    node: treasury,
  };
  pool.push({ receipt, hash: receiptHash(receipt) });
}

function* stream(): Generator<{ receipt: Receipt; hash: Hex }> {
  for (let i = 0; i < receiptsCount; i++) {
    const base = pool[i % POOL]!;
    yield { receipt: { ...base.receipt, id: `0x${i.toString(16).padStart(64, "0")}` }, hash: base.hash };
  }
}

const heapBefore = process.memoryUsage().heapUsed;
const cpuBefore = process.cpuUsage();
const start = performance.now();
const aggregator = createEpochAggregator();
for (const { receipt, hash } of stream()) {
  if (hashMode === "given") aggregator.add(receipt, hash);
  else aggregator.add(receipt);
}
const added = performance.now();
const result = aggregator.finish();
const finished = performance.now();
const cpu = process.cpuUsage(cpuBefore);
const accounts = new Set([...result.charges.keys(), ...result.rewards.keys()]).size;
if (result.epochCharged !== result.epochRewards) throw new Error("unbalanced epoch");

console.log(
  JSON.stringify(
    {
      receipts: result.receiptCount,
      accounts,
      hash: hashMode,
      addSec: +((added - start) / 1000).toFixed(2),
      finishSec: +((finished - added) / 1000).toFixed(2),
      totalSec: +((finished - start) / 1000).toFixed(2),
      cpuSec: +((cpu.user + cpu.system) / 1e6).toFixed(2),
      receiptsPerSec: Math.round(result.receiptCount / ((finished - start) / 1000)),
      heapGrowthMB: +((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20).toFixed(1),
      peakRssMB: +(process.resourceUsage().maxRSS / 1024).toFixed(0),
    },
    null,
    2,
  ),
);
