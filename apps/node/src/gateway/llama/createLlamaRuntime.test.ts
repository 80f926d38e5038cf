import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError } from "../../api/ApiError.ts";
import { createLlamaRuntime } from "./createLlamaRuntime.ts";
import { writeTinyModels } from "./testing/writeTinyModels.ts";
import type { LlamaFiles, LlamaRuntime } from "./types.ts";

const codeOf = (e: unknown) => (e instanceof ApiError ? e.code : String(e));

// One thread: the test machine is shared, and llama.cpp's threads spin-wait for each other when preempted.
describe("the local llama runtime (real llama.cpp, tiny random-weight GGUFs)", () => {
  const dir = mkdtempSync(join(tmpdir(), "llama-rt-"));
  const { base, adapters } = writeTinyModels(dir, { adapters: 3 });
  const runtimes: LlamaRuntime[] = [];
  const runtime = (config: Parameters<typeof createLlamaRuntime>[0]) => {
    const r = createLlamaRuntime({ threads: 1, ...config });
    runtimes.push(r);
    return r;
  };
  let rt: LlamaRuntime;
  const files: (LlamaFiles | undefined)[] = [];
  let plain: LlamaFiles;
  const ask = (f: LlamaFiles, extra: Partial<Parameters<LlamaRuntime["generate"]>[1]> = {}) =>
    rt.generate(f, { prompt: "Call me Ishmael.", maxTokens: 24, temperature: 0, seed: 0, ...extra });

  beforeAll(async () => {
    rt = runtime({ maxContexts: 8 });
    const info = await rt.inspect({ baseFile: base });
    plain = { baseFile: base, baseSha256: info.baseSha256, scale: 1 };
    for (const adapterFile of adapters) {
      const a = await rt.inspect({ baseFile: base, adapterFile });
      files.push({ ...plain, adapterFile, adapterSha256: a.adapterSha256 as string });
    }
  }, 60_000);
  afterAll(async () => {
    for (const r of runtimes) await r.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("inspects: the base once per hash, the context capped by the base's training context, threads as configured", async () => {
    const info = await rt.inspect({ baseFile: base, adapterFile: adapters[0] as string });
    expect(info.baseSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(info.adapterSha256).toBe(files[0]?.adapterSha256);
    expect(info.contextSize).toBe(256); // the default 2048, capped by nCtxTrain
    expect(info.architecture).toBe("llama");
    expect(info.contextBytes).toBeGreaterThan(0);
    expect(rt.stats()).toMatchObject({ loaded: true, bases: 1, threads: 1 });
    expect(createLlamaRuntime().config.threads).toBeGreaterThanOrEqual(1);
  });

  it("greedy is deterministic, seeded sampling repeats with its seed, and each adapter changes the output", async () => {
    const a = await ask(plain);
    expect(a.outputTokens).toBeGreaterThan(0);
    expect((await ask(plain)).text).toBe(a.text);
    const s1 = await ask(plain, { temperature: 1, seed: 7 });
    expect((await ask(plain, { temperature: 1, seed: 7 })).text).toBe(s1.text);
    expect((await ask(plain, { temperature: 1, seed: 8 })).text).not.toBe(s1.text);
    const outputs = await Promise.all(files.map((f) => ask(f as LlamaFiles)));
    const texts = new Set([a.text, ...outputs.map((o) => o.text)]);
    expect(texts.size).toBe(4);
    // Counted with the base's tokenizer, BOS excluded: one piece per character of this vocabulary.
    expect(a.inputTokens).toBe((await rt.tokenizerOf(plain)).encode("Call me Ishmael.").length);
  });

  it("reuses a warm context for the same adapter", async () => {
    await ask(files[0] as LlamaFiles);
    const again = await ask(files[0] as LlamaFiles);
    expect(again.cold).toBe(false);
  });

  it("evicts the least recently used context under a budget of N contexts with N+1 adapters, and all answer", async () => {
    const small = runtime({ maxContexts: 2 });
    const f = files as LlamaFiles[];
    const first = await Promise.all(
      f.map((x) => small.generate(x, { prompt: "a", maxTokens: 8, temperature: 0, seed: 0 })),
    );
    for (const x of f) {
      const g = await small.generate(x, { prompt: "a", maxTokens: 8, temperature: 0, seed: 0 });
      expect(g.text).toBe(first[f.indexOf(x)]?.text); // a cold reload answers like the warm one did
    }
    const s = small.stats();
    expect(s.contexts).toBeLessThanOrEqual(2);
    expect(s.evicted).toBeGreaterThanOrEqual(2);
    expect(Object.keys(s.perKey).length).toBeLessThanOrEqual(2);
  });

  it("queues fairly up to its limit, then answers 503 LLAMA_SATURATED with a hint (queue full, or waited too long)", async () => {
    const busy = runtime({ maxContexts: 1, maxContextsPerAdapter: 1, maxQueue: 1, queueTimeoutMs: 1 });
    const f = files[0] as LlamaFiles;
    await busy.generate(f, { prompt: "a", maxTokens: 1, temperature: 0, seed: 0 }); // base loaded: arrivals in order
    const results = await Promise.allSettled(
      [0, 1, 2].map(() => busy.generate(f, { prompt: "a", maxTokens: 200, temperature: 1, seed: 1 })),
    );
    expect(results[0]?.status, String((results[0] as PromiseRejectedResult).reason)).toBe("fulfilled");
    const refused = results
      .filter((r) => r.status === "rejected")
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(refused.map(codeOf)).toEqual(["LLAMA_SATURATED", "LLAMA_SATURATED"]);
    expect((refused[0] as ApiError).status).toBe(503);
    expect((refused[0] as ApiError).hint).toMatch(/llama\.maxContexts/);
    expect(refused.map((e) => (e as Error).message).join(" ")).toMatch(/already wait/);
    expect(refused.map((e) => (e as Error).message).join(" ")).toMatch(/within 1 ms/);
    // The context came back: the next request is served.
    expect(
      (await busy.generate(f, { prompt: "a", maxTokens: 4, temperature: 0, seed: 0 })).outputTokens,
    ).toBe(4);
  });

  it("stops when the signal aborts and gives the context back", async () => {
    const one = runtime({ maxContexts: 1 });
    const controller = new AbortController();
    let deltas = 0;
    const g = await one.generate(plain, {
      prompt: "a",
      maxTokens: 200,
      temperature: 1,
      seed: 3,
      signal: controller.signal,
      onText: () => {
        if (++deltas === 3) controller.abort();
      },
    });
    expect(g.finishReason).toBe("aborted");
    expect(g.outputTokens).toBeLessThan(200);
    expect(
      (await one.generate(plain, { prompt: "a", maxTokens: 2, temperature: 0, seed: 0 })).outputTokens,
    ).toBe(2);
  });

  it("refuses a prompt and max tokens that do not fit one context (400 CONTEXT_LENGTH_EXCEEDED)", async () => {
    const e = await ask(plain, { prompt: "x".repeat(250), maxTokens: 10 }).catch((x: unknown) => x);
    expect(codeOf(e)).toBe("CONTEXT_LENGTH_EXCEEDED");
    expect((e as Error).message).toMatch(/holds 256 tokens/);
  });

  it("refuses a missing, corrupt, truncated or mismatched file with llama.cpp's reason, and a file that changed", async () => {
    const other = mkdtempSync(join(dir, "other-"));
    const wrong = writeTinyModels(other, {
      adapters: 1,
      hparams: {
        nEmbd: 32,
        nLayer: 2,
        nHead: 4,
        nHeadKv: 2,
        nFf: 64,
        nCtxTrain: 256,
        ropeFreqBase: 10000,
        rmsEps: 1e-5,
      },
    });
    const garbage = join(dir, "garbage.gguf");
    writeFileSync(garbage, "not a gguf at all");
    // A GGUF magic then a huge version and counts: node-llama-cpp's own reader would stall on it.
    const hostile = join(dir, "hostile.gguf");
    writeFileSync(hostile, "GGUF but not really, and then some more bytes");
    const truncated = join(dir, "truncated.gguf");
    writeFileSync(truncated, (await import("node:fs")).readFileSync(base).subarray(0, 20_000));
    const check = async (params: Parameters<LlamaRuntime["inspect"]>[0]) => {
      const e = await rt.inspect(params).catch((x: unknown) => x);
      return { code: codeOf(e), message: (e as Error).message };
    };
    expect(await check({ baseFile: join(dir, "missing.gguf") })).toMatchObject({
      code: "LLAMA_FILE_NOT_FOUND",
    });
    expect(await check({ baseFile: base, adapterFile: join(dir, "missing.gguf") })).toMatchObject({
      code: "LLAMA_FILE_NOT_FOUND",
    });
    expect((await check({ baseFile: truncated })).code).toBe("LLAMA_BASE_INVALID");
    expect((await check({ baseFile: garbage })).code).toBe("LLAMA_BASE_INVALID");
    expect(await check({ baseFile: base, adapterFile: garbage })).toMatchObject({
      code: "LLAMA_ADAPTER_INVALID",
    });
    const mismatched = await check({ baseFile: base, adapterFile: wrong.adapters[0] as string });
    expect(mismatched.code).toBe("LLAMA_ADAPTER_INVALID");
    expect(mismatched.message).toMatch(/incorrect shape/);
    // A registered file replaced on disk is refused before a fresh runtime loads it.
    const moved = join(dir, "moved.gguf");
    copyFileSync(base, moved);
    const fresh = runtime({});
    const info = await fresh.inspect({ baseFile: moved });
    await fresh.dispose();
    copyFileSync(wrong.base, moved);
    const again = runtime({});
    const e = await again
      .generate(
        { baseFile: moved, baseSha256: info.baseSha256, scale: 1 },
        { prompt: "a", maxTokens: 1, temperature: 0, seed: 0 },
      )
      .catch((x: unknown) => x);
    expect(codeOf(e)).toBe("LLAMA_FILE_CHANGED");
  });
});
