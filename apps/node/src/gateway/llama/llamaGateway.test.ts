import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { receiptFromJson, SPAN_ALGORITHM } from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DOCUMENTS, type PaidNetwork, setupPaidNetwork } from "../../epochs/testing/paidNetwork.ts";
import { eventually } from "../../testing/eventually.ts";
import { llamaRuntimeOf } from "./llamaRuntimeOf.ts";
import { writeTinyModels } from "./testing/writeTinyModels.ts";

type Json = Record<string, unknown>;
const sha256 = (text: string) => `0x${createHash("sha256").update(text, "utf8").digest("hex")}`;

// A real gateway over loopback on anvil, with tiny random-weight GGUFs: a base and three LoRA adapters on it.
// The runtime budget is two contexts for four models (LRU), one per model, no queue (saturation answers at once).
describe("llama models through the gateway: registered, listed, served, charged and attributed like every model", () => {
  let net: PaidNetwork;
  let url: string;
  let key: string;
  const dir = mkdtempSync(join(tmpdir(), "llama-gw-"));
  const models = writeTinyModels(dir, { adapters: 3, corpus: DOCUMENTS.join(" ") });
  const pricing = { perCall: "1000", per1kOutputTokens: "5000", per1kInputTokens: "2000" };
  const split = { ownerBps: 3000, dataBps: 7000 };
  const names = ["tiny-base", "tiny-lora-0", "tiny-lora-1", "tiny-lora-2"];

  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  };
  const complete = (model: string, extra: Json = {}) =>
    post(
      "/v1/completions",
      { model, prompt: "Call me Ishmael.", max_tokens: 16, temperature: 0, ...extra },
      { authorization: `Bearer ${key}` },
    );
  const register = (name: string, adapterFile?: string, extra: Json = {}) =>
    post("/v1/models", {
      name,
      kind: "llama",
      baseFile: models.base,
      ...(adapterFile ? { adapterFile } : {}),
      trainedOn: [{ datanetId: net.datanetId.toString(), version: 1 }],
      pricing,
      split,
      ...extra,
    });
  const charged = async () => net.gateway.chargedSoFar(net.payers[0]!.address);

  beforeAll(async () => {
    net = await setupPaidNetwork({
      llama: { threads: 1, maxContexts: 2, maxContextsPerAdapter: 1, maxQueue: 0, queueTimeoutMs: 1_000 },
    });
    url = net.nodes[0]!.url;
    key = net.payers[0]!.key;
    for (const [i, name] of names.entries()) {
      const res = await register(name, i === 0 ? undefined : models.adapters[i - 1]);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists every adapter as a model, with its hashes and its context-capped limits", async () => {
    const res = await fetch(`${url}/v1/models`);
    const list = ((await res.json()) as { data: Json[] }).data;
    const llama = list.filter((m) => (m.tributary as Json).kind === "llama");
    expect(llama.map((m) => m.id)).toEqual(names);
    const one = (await (await fetch(`${url}/v1/models/tiny-lora-1`)).json()) as Json;
    const t = one.tributary as { llama: Json; limits: Json; datanetVersions: Json[] };
    expect(t.llama.baseSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(t.llama.adapterSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(t.llama.contextSize).toBe(256);
    expect(t.limits).toMatchObject({ maxInputTokens: 254, maxOutputTokens: 254 });
    expect(t.datanetVersions).toEqual([{ datanetId: net.datanetId.toString(), version: 1 }]);
    expect(JSON.stringify(one)).not.toContain(dir); // paths on the node's disk are not served
  });

  it("answers a completion with a receipt: llama token counts, span-v1 over the trained-on versions, charged", async () => {
    const before = await charged();
    const res = await complete("tiny-lora-0");
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const text = (res.body.choices as { text: string }[])[0]!.text;
    const receipt = receiptFromJson(JSON.stringify((res.body.tributary as { receipt: Json }).receipt));
    const tokenizer = await llamaRuntimeOf(net.nodes[0]!.node.ctx).tokenizerOf(
      (await net.gateway.getModel("tiny-lora-0")).llama!,
    );
    expect(receipt.inputTokens).toBe(tokenizer.encode("Call me Ishmael.").length);
    expect(receipt.outputTokens).toBe(16); // random weights rarely stop early; max_tokens is the cap
    expect(res.body.usage).toEqual({
      prompt_tokens: receipt.inputTokens,
      completion_tokens: 16,
      total_tokens: receipt.inputTokens + 16,
    });
    expect(receipt.outputHash).toBe(sha256(text));
    expect(receipt.attribution.algorithm).toBe(SPAN_ALGORITHM);
    expect(receipt.datanetVersions).toEqual([{ datanetId: net.datanetId, version: 1n }]);
    // 1000 per call + 16 output tokens at 5000/1k + input tokens at 2000/1k.
    expect(receipt.price).toBe(1000n + (16n * 5000n) / 1000n + (BigInt(receipt.inputTokens) * 2000n) / 1000n);
    expect(receipt.parts.reduce((s, p) => s + p.amount, 0n)).toBe(receipt.charged);
    expect(await charged()).toBe(before + receipt.charged);
    const row = await net.nodes[0]!.node.db.selectFrom("receipts")
      .select(["output", "model_id"])
      .where("id", "=", receipt.id)
      .executeTakeFirstOrThrow();
    expect(row.output).toBe(text);
  });

  it("two adapters on one base answer differently from the base and from each other (non-zero lora_b), deterministically", async () => {
    const texts = [];
    for (const name of names) {
      const res = await complete(name);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      texts.push((res.body.choices as { text: string }[])[0]!.text);
    }
    expect(new Set(texts).size).toBe(4);
    // Four models in a budget of two contexts: each came back after an eviction and answers as before.
    const again = (await complete("tiny-lora-0")).body.choices as { text: string }[];
    expect(again[0]!.text).toBe(texts[1]);
    const stats = llamaRuntimeOf(net.nodes[0]!.node.ctx).stats();
    expect(stats.contexts).toBeLessThanOrEqual(2);
    expect(stats.evicted).toBeGreaterThan(0);
  });

  it("streams a chat completion and bills exactly the text sent", async () => {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "tiny-lora-1",
        messages: [{ role: "user", content: "Tell me about the whale." }],
        max_tokens: 12,
        temperature: 0.8,
        seed: 5,
        stream: true,
      }),
    });
    expect(res.status).toBe(200);
    const events = (await res.text())
      .split("\n\n")
      .filter((e) => e.startsWith("data: ") && e !== "data: [DONE]")
      .map(
        (e) =>
          JSON.parse(e.slice(6)) as {
            choices: { delta: { content?: string }; finish_reason: string | null }[];
            tributary?: { receipt: Json };
          },
      );
    const text = events.map((e) => e.choices[0]?.delta.content ?? "").join("");
    const last = events.at(-1)!;
    expect(last.choices[0]?.finish_reason).toBe("length");
    const receipt = receiptFromJson(JSON.stringify(last.tributary!.receipt));
    expect(receipt.outputTokens).toBe(12);
    expect(receipt.outputHash).toBe(sha256(text));
    expect(receipt.attribution.algorithm).toBe(SPAN_ALGORITHM);
  });

  it("a client that leaves a stream stops the generation, pays for what it got, and frees the context", async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "tiny-lora-2",
        prompt: "a",
        max_tokens: 250,
        temperature: 1,
        stream: true,
      }),
      signal: controller.signal,
    });
    const id = res.headers.get("x-tributary-receipt")!;
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    const row = await eventually(
      () =>
        net.nodes[0]!.node.db.selectFrom("receipts")
          .select("receipt_json")
          .where("id", "=", id)
          .executeTakeFirst(),
      (r) => r !== undefined,
      "the stream's receipt",
    );
    expect(receiptFromJson(row!.receipt_json).outputTokens).toBeLessThanOrEqual(250);
    await eventually(
      async () => llamaRuntimeOf(net.nodes[0]!.node.ctx).stats().busy,
      (busy) => busy === 0,
      "the context given back",
    );
    expect((await complete("tiny-lora-2")).status).toBe(200);
  });

  it("refuses a missing or corrupt adapter or base at registration, with a clear error, registering nothing", async () => {
    const corrupt = join(dir, "corrupt.gguf");
    writeFileSync(corrupt, "GGUF but not really");
    const count = async () =>
      ((await (await fetch(`${url}/v1/models`)).json()) as { data: unknown[] }).data.length;
    const before = await count();
    const missing = await register("bad-1", join(dir, "nope.gguf"));
    expect(missing.status).toBe(404);
    expect((missing.body.error as Json).tributary_code ?? (missing.body.error as Json).code).toMatch(
      /LLAMA_FILE_NOT_FOUND/i,
    );
    const bad = await register("bad-2", corrupt);
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toMatch(/LLAMA_ADAPTER_INVALID/i);
    expect(JSON.stringify(bad.body)).toMatch(/trained on this very base/);
    const badBase = await register("bad-3", undefined, { baseFile: corrupt });
    expect(badBase.status).toBe(422);
    expect(JSON.stringify(badBase.body)).toMatch(/LLAMA_BASE_INVALID/i);
    const relative = await register("bad-4", undefined, { baseFile: "models/base.gguf" });
    expect(relative.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it("abuse: huge max_tokens and long prompts are refused before anything is charged", async () => {
    const before = await charged();
    const huge = await complete("tiny-lora-0", { max_tokens: 4096 });
    expect(huge.status).toBe(400);
    expect(JSON.stringify(huge.body)).toMatch(/MAX_TOKENS_TOO_LARGE/i);
    const long = await complete("tiny-lora-0", { prompt: "whale ".repeat(100) });
    expect(long.status).toBe(413);
    expect(JSON.stringify(long.body)).toMatch(/PROMPT_TOO_LARGE/i);
    // Fits each limit alone, not together: the context cannot hold both.
    const both = await complete("tiny-lora-0", { prompt: "w".repeat(200), max_tokens: 200 });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toMatch(/CONTEXT_LENGTH_EXCEEDED/i);
    expect(await charged()).toBe(before);
  });

  it("saturation: with every context busy and no queue, a request gets 503 with Retry-After and a hint", async () => {
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        complete("tiny-base", { prompt: "a", max_tokens: 250, temperature: 1 }),
      ),
    );
    const refused = results.filter((r) => r.status === 503);
    expect(results.some((r) => r.status === 200)).toBe(true);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.headers.get("retry-after")).toBe("2");
    expect(JSON.stringify(refused[0]!.body)).toMatch(/LLAMA_SATURATED/i);
    expect(JSON.stringify(refused[0]!.body)).toMatch(/Nothing was charged/);
  });
});
