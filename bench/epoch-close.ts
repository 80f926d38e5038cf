/**
 * Epoch close at scale: N receipts in the node's SQLite database, then one `close()` of the node's epoch
 * service on a local chain: cut (one UPDATE), the bundle streamed to disk and moved into the content store,
 * both cumulative trees, the receipts root, leaves and earnings written, the report signed and submitted.
 *
 *   npx tsx bench/epoch-close.ts [--receipts 1000000]
 *
 * Receipts are made from a pool of 20,000 real splits (`splitFee`, 1–3 attributed contributions over 7,997
 * contributions, 2,000 payers, an agent on one in five) with a fresh id each, a 48-token prompt and a 64-token
 * output; their hash and signature fields are placeholders (the close trusts the node's own hashes; `verify`
 * is what re-checks them). Peak memory is the process RSS sampled every 50 ms during the close, minus the RSS
 * before it. Writes `epochClose<N>Sec` / `epochClose<N>PeakMB` into bench/results/gateway.json (1M: the keys
 * `epochClose1MSec`, `epochClose1MPeakMB`).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { deployTributary, startAnvil } from "@tributary/chain";
import { canonicalReceiptBytes, computePrice, type Receipt, splitFee } from "@tributary/core";
import { approveAndDeposit, createTributaryClient, mintTokens } from "@tributary/sdk";
import Database from "better-sqlite3";
import { type Address, createPublicClient, createWalletClient, getAddress, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { createEpochService, createNode } from "../apps/node/src/index.ts";

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const N = Number(arg("--receipts", "1000000"));
const label =
  N >= 1_000_000 && N % 1_000_000 === 0 ? `${N / 1_000_000}M` : N >= 1000 ? `${N / 1000}k` : String(N);

const dataDir = new URL("./.data/epoch-close/", import.meta.url).pathname;
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });

const mnemonic = "test test test test test test test test test test test junk";
const accounts = Array.from({ length: 4 }, (_, i) => mnemonicToAccount(mnemonic, { addressIndex: i }));
const anvil = await startAnvil();
const chain = { ...foundry, rpcUrls: { default: { http: [anvil.rpcUrl] } } };
try {
  const a0 = accounts[0]!.address;
  const deployment = await deployTributary({
    rpcUrl: anvil.rpcUrl,
    account: accounts[0]!,
    chain,
    config: {
      owner: a0,
      treasury: accounts[1]!.address,
      guardian: accounts[2]!.address,
      attestors: [a0],
      quorum: 1,
      challengeWindow: 60n,
      withdrawalDelay: 120n,
      protocolFeeBps: 500,
    },
  });
  const sdk = createTributaryClient({
    publicClient: createPublicClient({ chain, transport: http(anvil.rpcUrl) }) as never,
    walletClient: createWalletClient({
      chain,
      transport: http(anvil.rpcUrl),
      account: accounts[0]!,
    }) as never,
    addresses: deployment.contracts,
  });
  // Back the report: Settlement refuses cumulative charges above the deposits.
  await mintTokens(sdk, { to: a0, amount: 10n ** 30n });
  await approveAndDeposit(sdk, { amount: 10n ** 30n });

  const node = await createNode({
    dataDir,
    chain: { rpcUrl: anvil.rpcUrl, deployment, account: accounts[0]!, pollIntervalMs: 0 },
  });

  // ---- synthetic receipts, inserted straight into the receipts table
  const address = (n: number): Address => getAddress(`0x${n.toString(16).padStart(40, "0")}`);
  const contributions = new Map(
    Array.from({ length: 7_997 }, (_, i) => [BigInt(i + 1), { payout: address(0x200000 + i) }] as const),
  );
  let seed = 0x9e3779b9;
  const rand = (n: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pricing = { perCall: 10n ** 15n, per1kOutputTokens: 2n * 10n ** 16n, per1kInputTokens: 0n };
  const output =
    "The whale rose beside the ship at dawn, and every harpooneer aboard the Pequod stood silent at the rail while the mate counted the boats and the wind came round to the north. ".repeat(
      2,
    );
  const input = "User: Tell me about the whale and the ship at dawn.\nAssistant:";
  const pool: Receipt[] = [];
  for (let i = 0; i < 20_000; i++) {
    const k = 1 + rand(3);
    const ids = new Set<bigint>();
    while (ids.size < k) ids.add(BigInt(1 + rand(7_997)));
    const list = [...ids];
    const attribution = list.map((contributionId, j) => ({
      contributionId,
      ppm: j === k - 1 ? 1_000_000 - Math.floor(1_000_000 / k) * (k - 1) : Math.floor(1_000_000 / k),
    }));
    const agentFeeBps = rand(5) === 0 ? 250 : 0;
    const outputTokens = 1 + rand(64);
    const price = computePrice(pricing, outputTokens, 48);
    const split = splitFee({
      price,
      protocolFeeBps: 500,
      agentFeeBps,
      split: { ownerBps: 3_000, dataBps: 7_000 },
      attribution,
      contributions,
      fallback: [],
      treasury: address(0xfee0001),
      owner: address(0xfee0002),
      ...(agentFeeBps > 0 ? { agentOperator: address(0xfee0003) } : {}),
    });
    pool.push({
      version: 1,
      id: `0x${"00".repeat(32)}`,
      payer: address(0x100000 + (i % 2_000)),
      modelId: 1n,
      ...(agentFeeBps > 0 ? { agentId: 3n } : {}),
      datanetVersions: [{ datanetId: 1n, version: 1n }],
      inputHash: `0x${"ab".repeat(32)}`,
      outputHash: `0x${"cd".repeat(32)}`,
      inputTokens: 48,
      outputTokens,
      pricing,
      split: { ownerBps: 3_000, dataBps: 7_000 },
      protocolFeeBps: 500,
      agentFeeBps,
      price,
      agentFee: split.agentFee,
      charged: split.charged,
      parts: split.parts,
      attribution: {
        algorithm: "infinigram-v1",
        params: { maxTokens: 64, seed: "0", temperature: 1 },
        contributions: attribution,
      },
      timestamp: 1_700_000_000 + i,
      node: a0,
    });
  }
  const sqlite = new Database(join(dataDir, "node.db"));
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  const insert = sqlite.prepare(
    "INSERT INTO receipts (id, payer, model_id, created_at, price, charged, receipt_json, hash, signature, output, input, epoch) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
  );
  const t0 = performance.now();
  const batch = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const base = pool[i % pool.length]!;
      const id = `0x${i.toString(16).padStart(64, "0")}` as const;
      const r = { ...base, id };
      const json = new TextDecoder().decode(canonicalReceiptBytes(r));
      insert.run(
        id,
        r.payer.toLowerCase(),
        "2026-11-26T00:00:00.000Z",
        r.price.toString(),
        r.charged.toString(),
        json,
        id,
        `0x${"11".repeat(65)}`,
        output,
        input,
      );
    }
  });
  for (let i = 0; i < N; i += 20_000) {
    batch(i, Math.min(N, i + 20_000));
    if ((i / 20_000) % 10 === 0)
      process.stderr.write(
        `\rinserting receipts: ${Math.min(N, i + 20_000).toLocaleString()} / ${N.toLocaleString()}`,
      );
  }
  sqlite.close();
  process.stderr.write(
    `\rinserted ${N.toLocaleString()} receipts in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );

  // ---- the close
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  const service = createEpochService(node.ctx, {
    onProgress: (step, d) => {
      if (step === "bundle" && d?.receipts)
        process.stderr.write(`\rbundling: ${(d.receipts as number).toLocaleString()} receipts`);
      else process.stderr.write(`\n${step}…`);
    },
  });
  // EPOCH_CLOSE_PROFILE=<file>: a CPU profile of the close alone (chrome://inspect or speedscope).
  const profilePath = process.env.EPOCH_CLOSE_PROFILE;
  const inspector = profilePath ? new (await import("node:inspector/promises")).Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post("Profiler.enable");
    await inspector.post("Profiler.start");
  }
  const row = await service.close();
  const seconds = (performance.now() - start) / 1000;
  if (inspector && profilePath) {
    const { profile } = await inspector.post("Profiler.stop");
    writeFileSync(profilePath, JSON.stringify(profile));
  }
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const cpu = process.cpuUsage(cpuBefore);
  const bundleBytes = node.ctx.store.createReadStream(row.bundle_cid!)
    ? (await import("node:fs")).statSync(node.ctx.store.pathOf(row.bundle_cid!)).size
    : 0;
  process.stderr.write("\n");
  if (row.receipt_count !== N || row.status !== "submitted")
    throw new Error(`close ended ${row.status} with ${row.receipt_count}`);
  await node.stop();

  const figures = {
    receipts: N,
    [`epochClose${label}Sec`]: +seconds.toFixed(1),
    [`epochClose${label}CpuSec`]: +((cpu.user + cpu.system) / 1e6).toFixed(1),
    [`epochClose${label}PeakMB`]: Math.round((peak - rssBefore) / 2 ** 20),
    [`epochClose${label}BundleMB`]: Math.round(bundleBytes / 2 ** 20),
    load: (await import("node:os")).loadavg()[0]!.toFixed(2),
  };
  console.log(JSON.stringify(figures, null, 2));
  const path = new URL("./results/gateway.json", import.meta.url);
  let existing: Record<string, unknown> = {};
  try {
    existing = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  } catch {}
  const { receipts: _r, load, ...keys } = figures;
  writeFileSync(
    path,
    `${JSON.stringify({ ...existing, ...keys, [`epochClose${label}Load`]: load }, null, 2)}\n`,
  );
} finally {
  await anvil.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
