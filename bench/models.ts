/**
 * Serving benchmark of local llama models (OpenLoRA: one base GGUF, many LoRA adapters), on node-llama-cpp's
 * CPU binary with the node's runtime (apps/node/src/gateway/llama):
 *
 * - `tokensPerSecond.oneAdapter` / `.eightAdapters`: sequential requests of `--tokens` output tokens, all to one
 *   adapter, then round-robin over 8 adapters (8 warm contexts, the default budget); `ratio` = 8 / 1 (goal ≥ 0.9);
 * - `tokensPerSecond.thrashing`: round-robin over 8 adapters with a budget of 4 contexts (every request reloads);
 * - `coldAdapterLoadMs`: a request's wait for a context of an adapter never loaded (LoRA file read and applied,
 *   context allocated; goal ≤ 50 ms), and `reloadAfterEvictionMs` (the LoRA tensors stay loaded: context only);
 * - `memoryPerAdapter`: RSS growth per adapter with its warm context, and llama's own estimate of a context plus
 *   the adapter's tensors;
 * - `training`: LoRA training tokens/s of the reference trainer (bench/lib/trainingThroughput.ts, from the
 *   training work), or why it was not measured.
 *
 * The base is a random-weight tiny llama of the training job's default size (128 wide, 4 layers, 4 heads / 2 KV
 * heads, FFN 344, 256 tokens of context): it serves exactly like a trained one of that size.
 *
 *   npm run bench:models [-- --tokens 64 --rounds 6 --threads 2 --skip-training]
 *
 * Prints the figures and writes bench/results/models-<threads>-threads.json (one file per thread count, so a 1- and a 2-thread run sit side by side).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createLlamaRuntime } from "../apps/node/src/gateway/llama/createLlamaRuntime.ts";
import { hashFile } from "../apps/node/src/gateway/llama/hashFile.ts";
import { writeTinyModels } from "../apps/node/src/gateway/llama/testing/writeTinyModels.ts";
import type { LlamaFiles, LlamaRuntime } from "../apps/node/src/gateway/llama/types.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TOKENS = arg("tokens", 64);
const ROUNDS = arg("rounds", 6);
const THREADS = arg("threads", availableParallelism());
const ADAPTERS = 8;
const HPARAMS = {
  nEmbd: 128,
  nLayer: 4,
  nHead: 4,
  nHeadKv: 2,
  nFf: 344,
  nCtxTrain: 256,
  ropeFreqBase: 10000,
  rmsEps: 1e-5,
};
const PROMPT = "Call me Ishmael. Some years ago";
const round1 = (x: number) => Math.round(x * 10) / 10;
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const log = (line: string) => process.stderr.write(`${line}\n`);

const dir = mkdtempSync(join(tmpdir(), "bench-models-"));
const { base, adapters } = writeTinyModels(dir, { adapters: ADAPTERS, hparams: HPARAMS, seed: 7 });
const baseSha256 = await hashFile(base);
const files: LlamaFiles[] = [];
for (const adapterFile of adapters) {
  files.push({
    baseFile: base,
    baseSha256,
    adapterFile,
    adapterSha256: await hashFile(adapterFile),
    scale: 1,
  });
}

/** Sequential requests over `models` in turn; tokens/s over the whole run (after one warm-up pass). */
async function throughput(runtime: LlamaRuntime, models: LlamaFiles[], warm = true) {
  const ask = (f: LlamaFiles, i: number) =>
    runtime.generate(f, { prompt: PROMPT, maxTokens: TOKENS, temperature: 0.8, seed: i });
  if (warm) for (const [i, f] of models.entries()) await ask(f, i);
  let tokens = 0;
  const t0 = performance.now();
  const requests = ROUNDS * ADAPTERS;
  for (let i = 0; i < requests; i++)
    tokens += (await ask(models[i % models.length] as LlamaFiles, i)).outputTokens;
  const seconds = (performance.now() - t0) / 1000;
  return { requests, tokens, seconds: round1(seconds * 10) / 10, tokensPerSecond: round1(tokens / seconds) };
}

log(`bench:models — tiny llama ${JSON.stringify(HPARAMS)}, ${THREADS} threads, ${TOKENS} tokens a request`);

// Cold loads and memory: a fresh runtime, the base with one context first, then each adapter's first request.
const rss = () => process.memoryUsage().rss;
const fresh = createLlamaRuntime({ threads: THREADS, maxContexts: ADAPTERS + 1, maxContextsPerAdapter: 1 });
const plain: LlamaFiles = { baseFile: base, baseSha256, scale: 1 };
await fresh.generate(plain, { prompt: PROMPT, maxTokens: 4, temperature: 0, seed: 0 });
const rss0 = rss();
const cold: number[] = [];
for (const f of files) {
  const g = await fresh.generate(f, { prompt: PROMPT, maxTokens: 4, temperature: 0, seed: 0 });
  if (!g.cold) throw new Error("expected a cold load");
  cold.push(g.waitedMs);
}
const rssPerAdapter = (rss() - rss0) / ADAPTERS;
const contextBytes = fresh.stats().contextBytes / fresh.stats().contexts;
const adapterBytes = statSync(adapters[0] as string).size;
await fresh.dispose();
log(`cold adapter load: p50 ${round1(p50(cold))} ms, max ${round1(Math.max(...cold))} ms`);

const warm = createLlamaRuntime({ threads: THREADS, maxContexts: ADAPTERS, maxContextsPerAdapter: 1 });
const one = await throughput(warm, [files[0] as LlamaFiles]);
log(`1 adapter: ${one.tokensPerSecond} tokens/s`);
const eight = await throughput(warm, files);
log(
  `8 adapters round-robin: ${eight.tokensPerSecond} tokens/s (ratio ${(eight.tokensPerSecond / one.tokensPerSecond).toFixed(3)})`,
);
await warm.dispose();

const tight = createLlamaRuntime({ threads: THREADS, maxContexts: ADAPTERS / 2, maxContextsPerAdapter: 1 });
const thrashing = await throughput(tight, files);
const reloads: number[] = [];
for (const [i, f] of files.entries()) {
  const g = await tight.generate(f, { prompt: PROMPT, maxTokens: 1, temperature: 0, seed: i });
  if (g.cold) reloads.push(g.waitedMs);
}
const evicted = tight.stats().evicted;
await tight.dispose();
log(`8 adapters in 4 contexts: ${thrashing.tokensPerSecond} tokens/s, ${evicted} evictions`);

/** Training tokens/s with the training work's reference trainer, when it and PyTorch are here. */
async function training(): Promise<Record<string, unknown>> {
  if (process.argv.includes("--skip-training")) return { measured: false, why: "--skip-training" };
  try {
    execFileSync("/usr/bin/python3", ["-c", "import torch"], { stdio: "ignore" });
  } catch {
    return { measured: false, why: "/usr/bin/python3 has no torch (apt-get install python3-torch)" };
  }
  const path = "./lib/trainingThroughput.ts";
  let lib: {
    measureTrainingThroughput: (o: Record<string, number>) => Promise<{ lora: Record<string, unknown> }>;
  };
  try {
    lib = await import(path);
  } catch (error) {
    return {
      measured: false,
      why: `${path} is not here yet (the training work): ${(error as Error).message}`,
    };
  }
  log("training a LoRA with the reference trainer (tiny base first)…");
  const m = await lib.measureTrainingThroughput({ baseSteps: 100, loraSteps: 40 });
  return { measured: true, lora: m.lora };
}
const train = await training();
log(`training: ${JSON.stringify(train)}`);

const ratio = Math.round((eight.tokensPerSecond / one.tokensPerSecond) * 1000) / 1000;
const result = {
  bench: "models",
  date: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((x) => round1(x)) },
  model: {
    kind: "random-weight tiny llama (the training job's default size)",
    hparams: HPARAMS,
    bytes: statSync(base).size,
  },
  adapter: { rank: 8, matrices: "attn_q, attn_k, attn_v, attn_output of every block", bytes: adapterBytes },
  settings: {
    threads: THREADS,
    tokensPerRequest: TOKENS,
    requestsPerRun: ROUNDS * ADAPTERS,
    temperature: 0.8,
  },
  tokensPerSecond: {
    oneAdapter: one,
    eightAdapters: eight,
    ratio,
    goal: 0.9,
    thrashing: { ...thrashing, maxContexts: 4, evicted },
  },
  coldAdapterLoadMs: {
    p50: round1(p50(cold)),
    max: round1(Math.max(...cold)),
    all: cold.map(round1),
    goal: 50,
  },
  reloadAfterEvictionMs:
    reloads.length > 0 ? { p50: round1(p50(reloads)), max: round1(Math.max(...reloads)) } : null,
  memoryPerAdapter: {
    rssBytes: Math.round(rssPerAdapter),
    llamaContextEstimateBytes: Math.round(contextBytes),
    adapterTensorBytes: adapterBytes,
  },
  training: train,
};
console.log(JSON.stringify(result, null, 2));
const out = join(import.meta.dirname, "results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `models-${THREADS}-threads.json`), `${JSON.stringify(result, null, 2)}\n`);
rmSync(dir, { recursive: true, force: true });
