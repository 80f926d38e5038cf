import {
  canonicalReceiptBytes,
  createTokenizer,
  type Receipt,
  receiptFromJson,
  receiptHash,
  signReceipt,
} from "@tributary/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaidNetwork, setupPaidNetwork } from "../../src/epochs/testing/paidNetwork.ts";
import { renderChatPrompt } from "../../src/gateway/createGatewayRoutes.ts";

type Json = Record<string, unknown>;
type ErrorBody = { error: { code: string; message: string; hint: string } };

const tokenizer = createTokenizer();
/** Input tokens of a one-message chat's rendered prompt (what the limits apply to). */
const inputTokensOf = (content: string) =>
  tokenizer.encode(renderChatPrompt([{ role: "user", content }])).length;
const ceilDiv1000 = (n: bigint) => (n + 999n) / 1000n;

/** The limited model: input priced at 2000 units per 1000 tokens, small limits of its own. */
const LIMITED = {
  name: "whale-small",
  pricing: { perCall: "1000", per1kOutputTokens: "5000", per1kInputTokens: "2000" },
  limits: { maxInputTokens: 64, maxPromptBytes: 1024, maxOutputTokens: 32 },
};

/**
 * Issue 11, item 5: prompt size was unbounded and not priced (a 50 MB prompt was charged like a short one and
 * stored in the database and the epoch bundle). On a real node over loopback HTTP and a real anvil: prompts over
 * the model's limits (its own, or the node's defaults) get 413 PROMPT_TOO_LARGE with nothing reserved, charged or
 * stored; input tokens are priced (ModelRegistry `per1kInputTokens`) and the epoch verifier recounts them.
 */
describe("abuse: prompt size and input pricing", () => {
  let net: PaidNetwork;
  let url: string;
  const post = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const chat = (content: string, extra: Record<string, unknown> = {}) =>
    net.chat(net.payers[0]!.key, content, { model: LIMITED.name, temperature: 0, ...extra });
  /** What must not change when a request is refused. */
  const snapshot = async () => {
    const db = net.nodes[0]!.node.db;
    const receipts = await db.selectFrom("receipts").select("id").execute();
    const charges = await db.selectFrom("payer_charges").selectAll().orderBy("payer").execute();
    return {
      receipts: receipts.length,
      charges,
      charged: await net.gateway.chargedSoFar(net.payers[0]!.address),
    };
  };
  const expectHealthy = async () => {
    const t0 = performance.now();
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    await res.text();
    expect(performance.now() - t0).toBeLessThan(1_000);
  };
  const refused = async (res: Response, status: number, code: string) => {
    const body = (await res.json()) as ErrorBody;
    expect(res.status, JSON.stringify(body)).toBe(status);
    // The gateway answers in OpenAI's shape: our code is `tributary_code`.
    expect((body.error as { tributary_code?: string }).tributary_code).toBe(code);
    expect(body.error.hint.length).toBeGreaterThan(10);
    return body.error;
  };
  const served = async (res: Response) => {
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).toBe(200);
    const receipt = receiptFromJson((body.tributary as { receipt: Json }).receipt);
    return { receipt, usage: body.usage as { prompt_tokens: number } };
  };

  beforeAll(async () => {
    net = await setupPaidNetwork();
    url = net.nodes[0]!.url;
    const registered = await post("/v1/models", {
      name: LIMITED.name,
      kind: "infinigram",
      datanetId: net.datanetId.toString(),
      version: 1,
      pricing: LIMITED.pricing,
      split: { ownerBps: 3000, dataBps: 7000 },
      limits: LIMITED.limits,
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("GET /v1/models shows each model's input price and limits (its own, or the node's defaults)", async () => {
    const listed = (await (await fetch(`${url}/v1/models`)).json()) as {
      data: { id: string; tributary: Json }[];
    };
    const limited = listed.data.find((m) => m.id === LIMITED.name)!.tributary;
    expect(limited.limits).toEqual(LIMITED.limits);
    expect(limited.pricing).toEqual(LIMITED.pricing);
    const plain = listed.data.find((m) => m.id === net.model)!.tributary;
    expect(plain.limits).toEqual({ maxInputTokens: 8192, maxPromptBytes: 262144, maxOutputTokens: 4096 });
  });

  it("a prompt over the model's token limit: 413 naming the limit and the count, nothing charged or stored", async () => {
    const before = await snapshot();
    const content = "whale ".repeat(100); // 600 bytes (under 1024), ~100 tokens (over 64)
    const tokens = inputTokensOf(content);
    expect(tokens).toBeGreaterThan(LIMITED.limits.maxInputTokens);
    const error = await refused(await chat(content), 413, "PROMPT_TOO_LARGE");
    expect(error.message).toContain(`${tokens} input tokens`);
    expect(error.message).toContain(`at most ${LIMITED.limits.maxInputTokens} input tokens`);
    expect(error.hint).toMatch(/Nothing was charged/);
    expect(await snapshot()).toEqual(before);
    await expectHealthy();
  });

  it("a prompt over the model's byte limit is refused before tokenizing; max_tokens over its cap is refused", async () => {
    const before = await snapshot();
    const error = await refused(await chat("a".repeat(2_000)), 413, "PROMPT_TOO_LARGE");
    expect(error.message).toMatch(/is 2\d{3} bytes; model whale-small accepts at most 1024 bytes/);
    const tooMany = await refused(
      await chat("Tell me about the whale.", { max_tokens: 33 }),
      400,
      "MAX_TOKENS_TOO_LARGE",
    );
    expect(tooMany.message).toContain("at most 32 output tokens");
    expect(await snapshot()).toEqual(before);
    await expectHealthy();
  });

  it("a model without limits of its own gets the node's defaults (8192 tokens, 256 KiB): huge prompts are refused fast", async () => {
    const before = await snapshot();
    const rss0 = process.memoryUsage().rss;
    // ~9000 tokens in 54 KB: over the default token limit, under the byte limit.
    const manyTokens = await net.chat(net.payers[0]!.key, "whale ".repeat(9_000));
    const e1 = await refused(manyTokens, 413, "PROMPT_TOO_LARGE");
    expect(e1.message).toMatch(/is \d+ input tokens; model whale-ig accepts at most 8192 input tokens/);
    // 900 KB (under the route's 1 MiB body limit): refused on its byte count, without tokenizing it (fast).
    const t0 = performance.now();
    const huge = await net.chat(net.payers[0]!.key, "x".repeat(900_000));
    const e2 = await refused(huge, 413, "PROMPT_TOO_LARGE");
    expect(performance.now() - t0).toBeLessThan(3_000);
    expect(e2.message).toMatch(/is 900\d{3} bytes; model whale-ig accepts at most 262144 bytes/);
    // 8 MiB: the body limit of the completions route stops it before it is parsed.
    const body = await net.chat(net.payers[0]!.key, "x".repeat(8 * 1024 * 1024));
    await refused(body, 413, "BODY_TOO_LARGE");
    expect(await snapshot()).toEqual(before);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * 1024 * 1024);
    await expectHealthy();
  });

  it("a long allowed prompt costs more than a short one by exactly its input tokens' price; the verifier agrees", async () => {
    const short = "Tell me about the whale.";
    const long = "Tell me about the whale and the Pequod. ".repeat(5);
    expect(inputTokensOf(long)).toBeLessThanOrEqual(LIMITED.limits.maxInputTokens);
    const before = await net.gateway.chargedSoFar(net.payers[0]!.address);
    const a = await served(await chat(short, { max_tokens: 1 }));
    const b = await served(await chat(long, { max_tokens: 1 }));
    for (const [s, content] of [
      [a, short],
      [b, long],
    ] as const) {
      // The input priced is the stored one: the rendered chat, then (∞-gram) `chatPrompt`'s passage or focus.
      const row = await net.nodes[0]!.node.db.selectFrom("receipts")
        .select("input")
        .where("id", "=", s.receipt.id)
        .executeTakeFirstOrThrow();
      expect(row.input?.startsWith(renderChatPrompt([{ role: "user", content }]))).toBe(true);
      expect(s.receipt.inputTokens).toBe(tokenizer.encode(row.input ?? "").length);
      expect(s.receipt.inputTokens).toBeGreaterThanOrEqual(inputTokensOf(content));
      expect(s.usage.prompt_tokens).toBe(s.receipt.inputTokens);
      expect(s.receipt.pricing.per1kInputTokens).toBe(2000n);
      expect(s.receipt.price).toBe(
        1000n +
          ceilDiv1000(5000n * BigInt(s.receipt.outputTokens)) +
          ceilDiv1000(2000n * BigInt(s.receipt.inputTokens)),
      );
    }
    expect(a.receipt.outputTokens).toBe(b.receipt.outputTokens);
    expect(b.receipt.inputTokens).toBeGreaterThan(a.receipt.inputTokens);
    expect(b.receipt.price - a.receipt.price).toBe(
      ceilDiv1000(2000n * BigInt(b.receipt.inputTokens)) - ceilDiv1000(2000n * BigInt(a.receipt.inputTokens)),
    );
    expect(await net.gateway.chargedSoFar(net.payers[0]!.address)).toBe(
      before + a.receipt.charged + b.receipt.charged,
    );

    const closed = await post("/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    const verified = await post("/v1/epochs/1/verify");
    expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, differences: [] });
  }, 60_000);

  it("the verifier recounts input tokens: a receipt that inflates them (price to match, re-signed) is named", async () => {
    await net.advance(61);
    expect((await post("/v1/epochs/1/finalize")).body.status).toBe("finalized");
    const honest = (await served(await chat("Call me Ishmael.", { max_tokens: 2 }))).receipt;
    const inflated = honest.inputTokens + 1_000;
    const extra = ceilDiv1000(2000n * BigInt(inflated)) - ceilDiv1000(2000n * BigInt(honest.inputTokens));
    const parts = honest.parts.map((p) => ({ ...p }));
    parts.find((p) => p.role === "owner")!.amount += extra;
    const forged: Receipt = {
      ...honest,
      inputTokens: inflated,
      price: honest.price + extra,
      charged: honest.charged + extra,
      parts,
    };
    const db = net.nodes[0]!.node.db;
    const account = net.nodes[0]!.node.ctx.chain!.walletClient.account as never;
    await db
      .updateTable("receipts")
      .set({
        receipt_json: new TextDecoder().decode(canonicalReceiptBytes(forged)),
        hash: receiptHash(forged),
        signature: await signReceipt(account, forged),
        price: forged.price.toString(),
        charged: forged.charged.toString(),
      })
      .where("id", "=", honest.id)
      .execute();
    const closed = await post("/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    const verified = await post("/v1/epochs/2/verify");
    expect(verified.body.ok).toBe(false);
    const differences = verified.body.differences as {
      receiptId?: string;
      field: string;
      expected: string;
      actual: string;
    }[];
    expect(differences).toContainEqual(
      expect.objectContaining({
        receiptId: honest.id,
        field: "inputTokens",
        expected: String(honest.inputTokens),
        actual: String(inflated),
      }),
    );
  }, 60_000);

  it("POST /v1/models refuses limits out of bounds and registers nothing", async () => {
    const models = async () =>
      ((await (await fetch(`${url}/v1/models`)).json()) as { data: unknown[] }).data.length;
    const count = await models();
    for (const limits of [
      { maxOutputTokens: 5000 },
      { maxInputTokens: 0 },
      { maxPromptBytes: 1.5 },
      { other: 1 },
    ]) {
      const res = await post("/v1/models", {
        name: "whale-bad",
        kind: "infinigram",
        datanetId: net.datanetId.toString(),
        version: 1,
        pricing: LIMITED.pricing,
        split: { ownerBps: 3000, dataBps: 7000 },
        limits,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect((res.body.error as { tributary_code: string }).tributary_code).toBe("INVALID_BODY");
    }
    expect(await models()).toBe(count);
  });
});
