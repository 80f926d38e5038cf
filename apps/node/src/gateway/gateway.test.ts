import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { type Receipt, verifyReceiptSignature } from "@tributary/core";
import {
  approveAndDeposit,
  cancelWithdrawal,
  createNodeClient,
  createTributaryClient,
  deactivateAgent,
  mintTokens,
  registerAgent,
  requestWithdrawal,
} from "@tributary/sdk";
import OpenAI from "openai";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode, type TributaryNode } from "../createNode.ts";
import { createDatanetRoutes, createVersionRoutes } from "../datanets/index.ts";
import { listPayers, settlementHandlers } from "../indexer/index.ts";
import { contributeAndPublish } from "../testing/contributeAndPublish.ts";
import { eventually } from "../testing/eventually.ts";
import { createGatewayRoutes } from "./createGatewayRoutes.ts";
import { createGatewayService, type GatewayService } from "./createGatewayService.ts";

type OpenAiError = {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string;
    hint: string;
    tributary_code: string;
  };
};

type ReceiptJson = {
  id: string;
  payer: string;
  charged: string;
  price: string;
  inputTokens: number;
  outputTokens: number;
  parts: { role: string; account: string; amount: string; contributionId?: string }[];
  attribution: {
    algorithm: string;
    params?: Record<string, unknown>;
    contributions: { contributionId: string; ppm: number }[];
  };
};

/** Rebuilds the bigint receipt from its canonical JSON (for signature verification). */
function fromJson(j: Record<string, unknown>): Receipt {
  const f = <T>(key: string) => j[key] as T;
  const big = (v: unknown) => BigInt(v as string);
  const parts = f<ReceiptJson["parts"]>("parts").map((p) => ({
    role: p.role as "owner",
    account: p.account as Address,
    amount: big(p.amount),
    ...(p.contributionId !== undefined ? { contributionId: big(p.contributionId) } : {}),
  }));
  const att = f<{
    algorithm: string;
    params: Record<string, string | number | boolean>;
    contributions: { contributionId: string; ppm: number }[];
  }>("attribution");
  const pricing = f<{ perCall: string; per1kOutputTokens: string; per1kInputTokens: string }>("pricing");
  return {
    version: 1,
    id: f("id"),
    payer: f("payer"),
    modelId: big(j.modelId),
    ...(j.agentId !== undefined ? { agentId: big(j.agentId) } : {}),
    datanetVersions: f<{ datanetId: string; version: string }[]>("datanetVersions").map((d) => ({
      datanetId: big(d.datanetId),
      version: big(d.version),
    })),
    inputHash: f("inputHash"),
    outputHash: f("outputHash"),
    inputTokens: f("inputTokens"),
    outputTokens: f("outputTokens"),
    pricing: {
      perCall: big(pricing.perCall),
      per1kOutputTokens: big(pricing.per1kOutputTokens),
      per1kInputTokens: big(pricing.per1kInputTokens),
    },
    split: f("split"),
    protocolFeeBps: f("protocolFeeBps"),
    agentFeeBps: f("agentFeeBps"),
    price: big(j.price),
    agentFee: big(j.agentFee),
    charged: big(j.charged),
    parts,
    attribution: {
      algorithm: att.algorithm,
      params: att.params,
      contributions: att.contributions.map((c) => ({ contributionId: big(c.contributionId), ppm: c.ppm })),
    },
    timestamp: f("timestamp"),
    node: f("node"),
  };
}

describe("payable OpenAI-compatible gateway (openai client → node → ∞-gram → signed receipt)", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  let gateway: GatewayService;
  let keyA: string;
  let keyPoor: string;
  let keyLeaving: string;
  let keyBusy: string;
  let payerA: Address;
  let client: OpenAI;
  let datanetId: bigint;
  let contributionIds: bigint[];
  const extraNodes: TributaryNode[] = [];
  const payerClient = (i: number) =>
    createTributaryClient({
      publicClient: chain.publicClient as never,
      walletClient: chain.wallets[i] as never,
      addresses: chain.deployment.contracts,
    });
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });

  async function receiptRows(id?: string) {
    let q = node.db.selectFrom("receipts").selectAll();
    if (id) q = q.where("id", "=", id);
    return q.execute();
  }

  async function checkStored(id: string, expected?: Record<string, unknown>) {
    const rows = await receiptRows(id);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    const json = JSON.parse(row.receipt_json) as Record<string, unknown>;
    if (expected) expect(json).toEqual(expected);
    const r = json as unknown as ReceiptJson;
    expect(r.parts.reduce((s, p) => s + BigInt(p.amount), 0n)).toBe(BigInt(row.charged));
    expect(r.charged).toBe(row.charged);
    expect(r.payer).toBe(payerA.toLowerCase());
    const nodeAddress = node.ctx.chain!.walletClient.account.address;
    expect(await verifyReceiptSignature(fromJson(json), row.signature as `0x${string}`, nodeAddress)).toBe(
      true,
    );
    return { row, receipt: r };
  }

  beforeAll(async () => {
    chain = await setupTestChain();
    node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "gateway-")),
      http: { port: 0, maxBodyBytes: 16 * 1024 * 1024 },
      log: (level, message, fields) => {
        if (level === "error") console.error(message, fields);
      },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 100,
      },
      routes: [
        (ctx) => createDatanetRoutes(ctx),
        (ctx) => createVersionRoutes(ctx),
        (ctx) => {
          gateway = createGatewayService(ctx);
          return createGatewayRoutes(ctx, { service: gateway, streamDelayMs: 40 });
        },
      ],
    });
    ({ url } = await node.listen());

    // A published datanet version with its index, through the node's HTTP routes.
    const api = createNodeClient({ baseUrl: url });
    const contributor = chain.accounts[6]!;
    const { datanetId: raw } = await api.createDatanet({
      metadataURI: "ipfs://whaling-card",
      policy: { curated: true, minStake: 0n, license: "CC-BY-4.0" },
    });
    datanetId = BigInt(raw);
    ({ contributionIds } = await contributeAndPublish({
      url,
      datanetId,
      contributor,
      documents: [
        {
          name: "whale.txt",
          content:
            "The whale rose beside the ship at dawn, and every harpooneer aboard the Pequod stood silent at the rail.",
        },
        {
          name: "chat.txt",
          content:
            "User: Tell me about the whale.\nAssistant: The great white whale swam north past the ice, and the crew of the Pequod followed it for forty days.",
        },
      ],
    }));

    await gateway.registerInfinigramModel({
      datanetId,
      version: 1,
      pricing: { perCall: 1000n, per1kOutputTokens: 5000n, per1kInputTokens: 0n },
      split: { ownerBps: 3000, dataBps: 7000 },
      name: "whale-ig",
    });

    // Payers: A deposits, "poor" has nothing, "leaving" deposits then requests a withdrawal.
    const nodeSdk = node.ctx.chain!.sdk;
    payerA = chain.accounts[7]!.address;
    const leaving = chain.accounts[9]!.address;
    for (const to of [payerA, leaving, chain.accounts[8]!.address, chain.accounts[4]!.address])
      await mintTokens(nodeSdk, { to, amount: 10n ** 18n });
    await approveAndDeposit(payerClient(7), { amount: 1_000_000n });
    await approveAndDeposit(payerClient(8), { amount: 1100n });
    await approveAndDeposit(payerClient(4), { amount: 2640n });
    await approveAndDeposit(payerClient(9), { amount: 1_000_000n });
    await requestWithdrawal(payerClient(9), { amount: 1_000_000n } as never);
    keyA = (await gateway.createApiKey(payerA)).key;
    keyPoor = (await gateway.createApiKey(chain.accounts[8]!.address)).key;
    keyLeaving = (await gateway.createApiKey(leaving)).key;
    keyBusy = (await gateway.createApiKey(chain.accounts[4]!.address)).key;
    client = new OpenAI({ apiKey: keyA, baseURL: `${url}/v1`, maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    for (const n of extraNodes) await n.stop();
    await node?.stop();
    await chain?.stop();
  });

  it("lists models in OpenAI's shape", async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual(["whale-ig"]);
    expect(list.data[0]).toMatchObject({
      object: "model",
      owned_by: chain.accounts[0]!.address.toLowerCase(),
    });
  });

  it("serves a chat completion with a durable, signed, balanced receipt; charges accumulate", async () => {
    const before = await gateway.chargedSoFar(payerA);
    const { data, response } = await client.chat.completions
      .create({
        model: "whale-ig",
        messages: [{ role: "user", content: "Tell me about the whale." }],
        temperature: 0,
      })
      .withResponse();
    const text = data.choices[0]!.message.content ?? "";
    expect(text).toContain("whale swam north");
    const tributary = (data as unknown as { tributary: { receipt: Record<string, unknown> } }).tributary;
    const id = response.headers.get("x-tributary-receipt");
    expect(id).toBe(tributary.receipt.id);
    const { receipt } = await checkStored(id!, tributary.receipt);
    expect(receipt.outputTokens).toBe(data.usage!.completion_tokens);
    expect(receipt.attribution.algorithm).toBe("infinigram-v1");
    expect(receipt.attribution.contributions.reduce((s, c) => s + c.ppm, 0)).toBe(1_000_000);
    expect(receipt.parts.map((p) => p.role)).toEqual(
      expect.arrayContaining(["protocol", "owner", "contributor"]),
    );
    const after = await gateway.chargedSoFar(payerA);
    expect(after - before).toBe(BigInt(receipt.charged));
  });

  it("answers the chat question: different questions differ, each continues its passage; the same twice is identical", async () => {
    const ask = async (question: string) => {
      const data = await client.chat.completions.create({
        model: "whale-ig",
        messages: [{ role: "user", content: question }],
      });
      const receipt = (data as unknown as { tributary: { receipt: ReceiptJson } }).tributary.receipt;
      const { receipt: stored } = await checkStored(receipt.id);
      const [row] = await receiptRows(receipt.id);
      return { text: data.choices[0]!.message.content ?? "", input: row!.input ?? "", receipt: stored };
    };
    const rail = await ask("Who stood silent at the rail?");
    const crew = await ask("Where did the crew of the Pequod go?");
    expect(rail.text).toContain("stood silent at the rail");
    expect(crew.text).toContain("the crew of the Pequod followed it for forty days");
    // The input ends with the corpus text before the answer (`chatPrompt`'s passage), and is what was priced.
    expect(rail.input.startsWith("User: Who stood silent at the rail?\nAssistant:\n")).toBe(true);
    expect(node.ctx.tokenizer.encode(rail.input).length).toBe(rail.receipt.inputTokens);
    const again = await ask("Who stood silent at the rail?");
    expect(Buffer.from(again.text)).toEqual(Buffer.from(rail.text));
    expect(again.input).toBe(rail.input);
    expect(again.receipt.attribution).toEqual(rail.receipt.attribution);
    // What the verifier does: re-run the ∞-gram from the stored input with the receipt's parameters.
    const p = rail.receipt.attribution.params as Record<string, string | number>;
    const regenerated = await gateway.generate(await gateway.getModel("whale-ig"), {
      prompt: rail.input,
      maxTokens: Number(p.maxTokens),
      temperature: Number(p.temperature),
      seed: BigInt(String(p.seed)),
    });
    expect(regenerated.text).toBe(rail.text);
    expect(
      regenerated.contributions.map((c) => ({ contributionId: c.contributionId.toString(), ppm: c.ppm })),
    ).toEqual(rail.receipt.attribution.contributions);
  });

  it("serves a text completion", async () => {
    const before = await gateway.chargedSoFar(payerA);
    const data = await client.completions.create({
      model: "whale-ig",
      prompt: "The whale rose",
      temperature: 0,
      max_tokens: 8,
    });
    expect(data.object).toBe("text_completion");
    expect(data.choices[0]!.text).toBe(" beside the ship at dawn, and every");
    expect(data.choices[0]!.finish_reason).toBe("length");
    const receipt = (data as unknown as { tributary: { receipt: ReceiptJson } }).tributary.receipt;
    await checkStored(receipt.id);
    // 1000 + ceil(5000 × 8 / 1000) = 1040
    expect(receipt.price).toBe("1040");
    expect(await gateway.chargedSoFar(payerA)).toBe(before + 1040n);
  });

  it("streams chat chunks and puts the receipt in the final event, stored before it", async () => {
    const stream = await client.chat.completions.create({
      model: "whale-ig",
      messages: [{ role: "user", content: "Tell me about the whale." }],
      temperature: 0,
      stream: true,
    });
    let text = "";
    let receipt: ReceiptJson | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? "";
      const t = (chunk as unknown as { tributary?: { receipt: ReceiptJson } }).tributary;
      if (t) {
        receipt = t.receipt;
        expect(await receiptRows(receipt.id)).toHaveLength(1); // durable before the final event arrived
      }
    }
    expect(text).toContain("whale swam north");
    expect(receipt).toBeDefined();
    expect(chunks).toBe(receipt!.outputTokens + 2);
    await checkStored(receipt!.id);
  });

  it("streams completions", async () => {
    const stream = await client.completions.create({
      model: "whale-ig",
      prompt: "The whale rose",
      temperature: 0,
      max_tokens: 5,
      stream: true,
    });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
    expect(text).toBe(" beside the ship at dawn");
  });

  it("refuses a bad key (401), a malformed body (400), an unknown model (404) in OpenAI's error shape", async () => {
    const bad = new OpenAI({ apiKey: "trib_nope", baseURL: `${url}/v1`, maxRetries: 0 });
    // GET /v1/models is public; completions need a key.
    expect((await bad.models.list()).data).toHaveLength(1);
    const unauth = await bad.chat.completions
      .create({ model: "whale-ig", messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(unauth).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(unauth.status).toBe(401);
    expect(unauth.code).toBe("invalid_api_key");
    expect(unauth.type).toBe("invalid_request_error");
    expect(unauth.param).toBeNull();
    expect(unauth.error).toEqual({
      message: "missing or invalid API key",
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
      hint: expect.stringMatching(/Authorization: Bearer/),
      tributary_code: "INVALID_API_KEY",
    });

    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "whale-ig", messages: "hello" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, string> };
    expect(Object.keys(body.error).sort()).toEqual([
      "code",
      "hint",
      "message",
      "param",
      "tributary_code",
      "type",
    ]);
    expect(body.error).toMatchObject({
      type: "invalid_request_error",
      param: "messages",
      code: "invalid_value",
      tributary_code: "INVALID_BODY",
    });
    expect(body.error.message).toMatch(/messages/);
    expect(body.error.hint).toBeTruthy();

    const notJson = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as OpenAiError).error).toMatchObject({
      type: "invalid_request_error",
      param: null,
      code: "invalid_json",
      tributary_code: "INVALID_JSON",
    });

    const e404 = await client.completions.create({ model: "nope", prompt: "x" }).catch((e) => e);
    expect(e404).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e404.code).toBe("model_not_found");
    expect(e404.param).toBe("model");
    expect(e404.error.tributary_code).toBe("MODEL_NOT_FOUND");
  });

  it("GET /v1/models/{id}: OpenAI's model object with the tributary fields; 404 model_not_found", async () => {
    const listed = (await client.models.list()).data[0]!;
    const model = await client.models.retrieve("whale-ig");
    expect(model).toEqual(listed);
    expect(model).toMatchObject({ id: "whale-ig", object: "model", owned_by: listed.owned_by });
    expect((model as unknown as { tributary: { modelId: string } }).tributary.modelId).toMatch(/^[0-9]+$/);
    const byId = await fetch(
      `${url}/v1/models/${(model as unknown as { tributary: { modelId: string } }).tributary.modelId}`,
    );
    expect(await byId.json()).toEqual(listed);

    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.paths["/v1/models/{id}"]?.get).toBeDefined();

    const missing = await client.models.retrieve("no-such/model").catch((e) => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.error).toEqual({
      message: "the model 'no-such/model' does not exist",
      type: "invalid_request_error",
      param: "model",
      code: "model_not_found",
      hint: "List the models this node serves with GET /v1/models.",
      tributary_code: "MODEL_NOT_FOUND",
    });
  });

  it("answers every error of the OpenAI routes in OpenAI's shape, the app's own refusals too; other routes keep theirs", async () => {
    const chat = (content: string) =>
      fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "whale-ig", messages: [{ role: "user", content }] }),
      });
    const tooLong = await chat("whale ".repeat(9_000));
    expect(tooLong.status).toBe(413);
    expect(((await tooLong.json()) as OpenAiError).error).toMatchObject({
      type: "invalid_request_error",
      param: "messages",
      code: "context_length_exceeded",
      tributary_code: "PROMPT_TOO_LARGE",
    });
    // Refused by the app's body limit, before the gateway: still OpenAI's shape. (In process: a 413 sent before
    // the body is read leaves the loopback connection unusable for the next client.)
    const tooBig = await node.app.request("/v1/chat/completions", {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "whale-ig",
        messages: [{ role: "user", content: "x".repeat(2 * 1024 * 1024) }],
      }),
    });
    expect(tooBig.status).toBe(413);
    const big = (await tooBig.json()) as OpenAiError;
    expect(Object.keys(big.error).sort()).toEqual([
      "code",
      "hint",
      "message",
      "param",
      "tributary_code",
      "type",
    ]);
    expect(big.error).toMatchObject({
      code: "body_too_large",
      param: null,
      tributary_code: "BODY_TOO_LARGE",
    });
    // The rest of the API keeps `{ error: { code, message, hint } }`.
    const other = await fetch(`${url}/v1/datanets/abc`);
    const otherBody = (await other.json()) as { error: Record<string, unknown> };
    expect(Object.keys(otherBody.error).sort()).toEqual(["code", "hint", "message"]);
  });

  it("refuses with 402 a payer without credit, one whose max charge exceeds it, and one withdrawing", async () => {
    const count = (await receiptRows()).length;
    const poor = new OpenAI({ apiKey: keyPoor, baseURL: `${url}/v1`, maxRetries: 0 });
    // Deposit 1100; max charge with the default 64 tokens is 1000 + ceil(5000 × 64 / 1000) = 1320.
    const e1 = await poor.completions.create({ model: "whale-ig", prompt: "The whale" }).catch((e) => e);
    expect(e1.status).toBe(402);
    expect(e1.code).toBe("insufficient_quota");
    expect(e1.type).toBe("insufficient_quota");
    expect(e1.error.tributary_code).toBe("INSUFFICIENT_CREDIT");
    expect(e1.error.hint).toMatch(/deposit/i);
    // With max_tokens 20 the bound is exactly 1100: served once, then the charge leaves too little.
    const ok = await poor.completions.create({
      model: "whale-ig",
      prompt: "The whale rose",
      max_tokens: 20,
      temperature: 0,
    });
    expect(ok.choices[0]!.text.length).toBeGreaterThan(0);
    const again = await poor.completions
      .create({ model: "whale-ig", prompt: "The whale", max_tokens: 20 })
      .catch((e) => e);
    expect(again.status).toBe(402);

    const leaving = new OpenAI({ apiKey: keyLeaving, baseURL: `${url}/v1`, maxRetries: 0 });
    const e2 = await leaving.completions.create({ model: "whale-ig", prompt: "The whale" }).catch((e) => e);
    expect(e2.status).toBe(402);
    expect(e2.code).toBe("insufficient_quota");
    expect(e2.error.tributary_code).toBe("WITHDRAWAL_PENDING");
    expect(e2.error.hint).toMatch(/withdraw/i);
    expect((await receiptRows()).length).toBe(count + 1);
  });

  it("never lets concurrent requests together charge more than the deposit", async () => {
    // Deposit 2640 = 2 × the max charge of a 64-token request (1320); every answer here costs ≥ 1100.
    const busy = new OpenAI({ apiKey: keyBusy, baseURL: `${url}/v1`, maxRetries: 0 });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        busy.completions.create({
          model: "whale-ig",
          prompt: "The whale rose",
          seed: i,
          stream: i % 2 === 0,
        }),
      ),
    );
    for (const r of results)
      if (r.status === "fulfilled" && "controller" in r.value) for await (const _ of r.value);
    const served = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter((r) => r.status === "rejected");
    expect(served).toBeGreaterThanOrEqual(1);
    expect(served).toBeLessThanOrEqual(2);
    for (const r of refused) expect((r.reason as { status: number }).status).toBe(402);
    const busyPayer = chain.accounts[4]!.address;
    const charged = await gateway.chargedSoFar(busyPayer);
    expect(charged).toBeLessThanOrEqual(2640n);
    const rows = await node.db
      .selectFrom("receipts")
      .selectAll()
      .where("payer", "=", busyPayer.toLowerCase())
      .execute();
    expect(rows).toHaveLength(served);
    expect(rows.reduce((sum, r) => sum + BigInt(r.charged), 0n)).toBe(charged);
  });

  it("charges exactly once, for the tokens sent, when the client disconnects mid-stream", async () => {
    const before = await gateway.chargedSoFar(payerA);
    const count = (await receiptRows()).length;
    const abort = new AbortController();
    const res = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "whale-ig", prompt: "The whale rose", temperature: 0, stream: true }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-tributary-receipt")!;
    const reader = res.body!.getReader();
    let seen = "";
    while ((seen.match(/\n\n/g) ?? []).length < 3) {
      const { value } = await reader.read();
      seen += new TextDecoder().decode(value);
    }
    abort.abort();
    const rows = await eventually(
      () => receiptRows(id),
      (r) => r.length === 1,
      "the receipt of the dropped stream",
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await receiptRows(id)).toHaveLength(1);
    expect((await receiptRows()).length).toBe(count + 1);
    const { receipt } = await checkStored(id);
    expect(receipt.outputTokens).toBeGreaterThanOrEqual(3);
    expect(receipt.outputTokens).toBeLessThan(20); // the full answer is 21 tokens
    expect(await gateway.chargedSoFar(payerA)).toBe(before + BigInt(rows[0]!.charged));
  });

  it("projects Settlement payer events into `payers` (listPayers) and applies a replayed log once", async () => {
    const leaving = chain.accounts[9]!.address;
    const payers = await eventually(
      () => listPayers(node.db),
      (ps) =>
        ps.some((p) => p.payer === payerA.toLowerCase() && p.deposited === 1_000_000n) &&
        ps.some((p) => p.payer === leaving.toLowerCase() && p.withdrawalRequestedAt > 0),
      "the payers projection",
    );
    const a = payers.find((p) => p.payer === payerA.toLowerCase())!;
    expect(a).toMatchObject({ withdrawn: 0n, withdrawalRequestedAt: 0, withdrawalAvailableAt: 0 });
    const l = payers.find((p) => p.payer === leaving.toLowerCase())!;
    expect(l.withdrawalAvailableAt).toBeGreaterThan(l.withdrawalRequestedAt);
    expect(payers.map((p) => p.payer)).toEqual([...payers.map((p) => p.payer)].sort());

    // The same log applied twice (a replay) counts once; an earlier log after a later one is ignored.
    const who = "0x00000000000000000000000000000000000000aa" as Address;
    const log = (blockNumber: number, logIndex: number, amount: bigint) => ({
      blockNumber,
      logIndex,
      blockHash: "0x01",
      txHash: "0x02",
      address: chain.deployment.contracts.settlement,
      eventName: "Deposited",
      args: { payer: who, from: who, amount },
    });
    await node.db.transaction().execute(async (trx) => {
      await settlementHandlers.Deposited!(trx, log(10 ** 9, 1, 5n));
      await settlementHandlers.Deposited!(trx, log(10 ** 9, 1, 5n));
      await settlementHandlers.Deposited!(trx, log(10 ** 9, 0, 7n));
      await settlementHandlers.Deposited!(trx, log(10 ** 9, 2, 11n));
    });
    const mine = (await listPayers(node.db)).find((p) => p.payer === who);
    expect(mine?.deposited).toBe(16n);
    await node.db.deleteFrom("payers").where("payer", "=", who).execute();
  });

  it("admits from the projection without chain reads, and re-reads the chain once when it says no", async () => {
    await eventually(
      () => listPayers(node.db),
      (ps) => ps.some((p) => p.payer === payerA.toLowerCase()),
      "payer A indexed",
    );
    const before = gateway.stats().chainReads;
    await client.completions.create({ model: "whale-ig", prompt: "The whale rose", max_tokens: 2 });
    expect(gateway.stats().chainReads).toBe(before);
    // A payer the indexer has not seen (row removed): served after one chain read. The service keeps an indexed
    // state until the indexer commits something new, so another payer's deposit is indexed first.
    await node.db.deleteFrom("payers").where("payer", "=", payerA.toLowerCase()).execute();
    const revision = node.ctx.chain!.indexer.revision();
    await approveAndDeposit(payerClient(9), { amount: 1n });
    await eventually(
      async () => node.ctx.chain!.indexer.revision(),
      (r) => r > revision,
      "the deposit indexed",
    );
    await client.completions.create({ model: "whale-ig", prompt: "The whale rose", max_tokens: 2 });
    expect(gateway.stats().chainReads).toBe(before + 1);
  });

  it("serves X-Tributary-Receipt (id) and X-Tributary-Receipt-Hash headers", async () => {
    const { data, response } = await client.completions
      .create({ model: "whale-ig", prompt: "The whale rose", max_tokens: 3 })
      .withResponse();
    const t = (data as unknown as { tributary: { receipt: { id: string }; receiptHash: string } }).tributary;
    expect(response.headers.get("x-tributary-receipt")).toBe(t.receipt.id);
    expect(response.headers.get("x-tributary-receipt-hash")).toBe(t.receiptHash);
    const [row] = await receiptRows(t.receipt.id);
    expect(row!.hash).toBe(t.receiptHash);
  });

  it("manages API keys: create (shown once), list paginated without secrets, revoke; bad input refused", async () => {
    const payer = chain.accounts[7]!.address;
    const res = await post("/v1/keys", { payer: payer.toLowerCase(), name: "ci", rateLimitPerMinute: 100 });
    expect(res.status).toBe(201);
    const created = (await res.json()) as Record<string, unknown>;
    expect(created).toMatchObject({ payer, name: "ci", rateLimitPerMinute: 100 });
    expect(created.key).toMatch(/^trib_[0-9a-f]{64}$/);
    expect(typeof created.id).toBe("string");
    expect(typeof created.createdAt).toBe("string");
    const second = (await (await post("/v1/keys", { payer })).json()) as { id: string; key: string };

    const page1 = (await (await fetch(`${url}/v1/keys?payer=${payer}&limit=2`)).json()) as {
      items: Record<string, unknown>[];
      nextCursor: string | null;
    };
    expect(page1.items).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    for (const item of page1.items) {
      expect(Object.keys(item).sort()).toEqual([
        "createdAt",
        "id",
        "name",
        "payer",
        "rateLimitPerMinute",
        "revoked",
      ]);
    }
    const all: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `${url}/v1/keys?payer=${payer}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await (await fetch(q)).json()) as { items: { id: string }[]; nextCursor: string | null };
      all.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(all).toContain(created.id);
    expect(all).toContain(second.id);
    expect(new Set(all).size).toBe(all.length);
    expect(JSON.stringify(page1)).not.toContain("trib_");

    const k = new OpenAI({ apiKey: second.key, baseURL: `${url}/v1`, maxRetries: 0 });
    await k.completions.create({ model: "whale-ig", prompt: "The whale", max_tokens: 1 });
    const del = await fetch(`${url}/v1/keys/${second.id}`, { method: "DELETE" });
    expect(del.status).toBe(200);
    expect(await del.json()).toEqual({ id: second.id, revoked: true });
    const after = await k.completions
      .create({ model: "whale-ig", prompt: "x", max_tokens: 1 })
      .catch((e) => e);
    expect(after.status).toBe(401);
    expect((await fetch(`${url}/v1/keys/nope`, { method: "DELETE" })).status).toBe(404);

    const bad = await post("/v1/keys", { payer: "0x1234" });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as OpenAiError;
    expect(badBody.error).toMatchObject({
      code: "invalid_address",
      param: "payer",
      tributary_code: "INVALID_ADDRESS",
    });
    expect(badBody.error.hint).toMatch(/40 hex/);
    expect((await post("/v1/keys", { payer, rateLimitPerMinute: 0 })).status).toBe(400);
    expect((await fetch(`${url}/v1/keys?payer=nope`)).status).toBe(400);
    expect((await fetch(`${url}/v1/keys?limit=0`)).status).toBe(400);
    expect((await fetch(`${url}/v1/keys?cursor=abc`)).status).toBe(400);

    // With an operator token, key and model routes need it.
    const guarded = createGatewayRoutes({ ...node.ctx, operatorToken: "s3cret" }, { service: gateway });
    const refused = await guarded.request("/v1/keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ payer }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as OpenAiError).error.tributary_code).toBe("OPERATOR_TOKEN_REQUIRED");
    expect((await guarded.request("/v1/keys")).status).toBe(401);
    const allowed = await guarded.request("/v1/keys?limit=1", {
      headers: { authorization: "Bearer s3cret" },
    });
    expect(allowed.status).toBe(200);
  });

  it("rate limits each key (token bucket): 429 in OpenAI's shape with Retry-After", async () => {
    const { key } = (await (await post("/v1/keys", { payer: payerA, rateLimitPerMinute: 2 })).json()) as {
      key: string;
    };
    const call = () =>
      fetch(`${url}/v1/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "whale-ig", prompt: "The whale", max_tokens: 1 }),
      });
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const limited = await call();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(30);
    const body = (await limited.json()) as OpenAiError;
    expect(body.error).toMatchObject({
      code: "rate_limit_exceeded",
      type: "requests",
      param: null,
      tributary_code: "RATE_LIMITED",
    });
    expect(body.error.hint).toMatch(/Retry/);
    // Another key of the same payer has its own bucket.
    expect(
      (await client.completions.create({ model: "whale-ig", prompt: "The whale", max_tokens: 1 })).choices,
    ).toHaveLength(1);
    const openai = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
    const e = await openai.completions
      .create({ model: "whale-ig", prompt: "x", max_tokens: 1 })
      .catch((x) => x);
    expect(e).toBeInstanceOf(OpenAI.RateLimitError);
  });

  it("registers models through POST /v1/models and refuses bad bodies", async () => {
    const base = {
      pricing: { perCall: "1000", per1kOutputTokens: "5000" },
      split: { ownerBps: 2000, dataBps: 8000 },
    };
    const res = await post("/v1/models", {
      name: "whale-ig-2",
      kind: "infinigram",
      datanetId: datanetId.toString(),
      version: 1,
      ...base,
    });
    expect(res.status).toBe(201);
    const model = (await res.json()) as { id: string; tributary: Record<string, unknown> };
    expect(model.id).toBe("whale-ig-2");
    expect(model.tributary).toMatchObject({
      kind: "infinigram",
      datanetVersions: [{ datanetId: datanetId.toString(), version: 1 }],
      pricing: base.pricing,
      split: base.split,
    });
    const served = await client.completions.create({
      model: "whale-ig-2",
      prompt: "The whale rose",
      max_tokens: 2,
    });
    expect(served.choices[0]!.text.length).toBeGreaterThan(0);

    const refuse = async (body: unknown, status: number, code: string) => {
      const r = await post("/v1/models", body);
      const j = (await r.json()) as OpenAiError;
      expect([r.status, j.error.tributary_code]).toEqual([status, code]);
      expect(j.error.hint.length).toBeGreaterThan(10);
      return j;
    };
    const ig = { name: "x1", kind: "infinigram", datanetId: datanetId.toString(), version: 1, ...base };
    await refuse({ ...ig, name: "whale-ig-2" }, 409, "MODEL_NAME_TAKEN");
    await refuse({ ...ig, version: 9 }, 404, "UNKNOWN_DATANET_VERSION");
    const j = await refuse({ ...ig, split: { ownerBps: 5000, dataBps: 4000 } }, 400, "INVALID_BODY");
    expect(j.error.message).toMatch(/10000/);
    await refuse({ ...ig, pricing: { perCall: 1000, per1kOutputTokens: "5" } }, 400, "INVALID_BODY");
    await refuse({ ...ig, pricing: { perCall: "-1", per1kOutputTokens: "5" } }, 400, "INVALID_BODY");
    await refuse({ ...ig, name: "123" }, 400, "INVALID_BODY");
    await refuse({ ...ig, kind: "gpt" }, 400, "INVALID_BODY");
    await refuse(
      {
        name: "x2",
        kind: "external",
        upstream: { baseURL: "ftp://x", model: "m" },
        trainedOn: [{ datanetId: "1", version: 1 }],
        ...base,
      },
      400,
      "INVALID_BODY",
    );
    await refuse(
      {
        name: "x3",
        kind: "external",
        upstream: { baseURL: "http://127.0.0.1:1/v1", model: "m" },
        trainedOn: [],
        ...base,
      },
      400,
      "INVALID_BODY",
    );
  });

  it("serves an external model: node B's gateway is the upstream; span-v1 receipt on A, B charges A's payer key", async () => {
    // Node B: another Tributary node on the same chain, with its own key, serving an ∞-gram model.
    const nodeB = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "gateway-b-")),
      http: { port: 0 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[1]!,
        pollIntervalMs: 100,
      },
      routes: [(ctx) => createGatewayRoutes(ctx, { streamDelayMs: 30 })],
    });
    extraNodes.push(nodeB);
    const { url: urlB } = await nodeB.listen();
    const [versionRow] = await node.db.selectFrom("version_indexes").selectAll().execute();
    const index = (await node.indexes.read(versionRow!.index_id))!;
    await nodeB.setVersionIndex(datanetId, 1, index);
    const b = createGatewayService(nodeB.ctx);
    await b.registerInfinigramModel({
      datanetId,
      version: 1,
      name: "whale-b",
      pricing: { perCall: 100n, per1kOutputTokens: 1000n, per1kInputTokens: 0n },
      split: { ownerBps: 5000, dataBps: 5000 },
    });
    const upstreamPayer = chain.accounts[3]!.address;
    await mintTokens(node.ctx.chain!.sdk, { to: upstreamPayer, amount: 10n ** 18n });
    await approveAndDeposit(payerClient(3), { amount: 1_000_000n });
    const { key: keyOnB } = await b.createApiKey(upstreamPayer);

    const registered = await post("/v1/models", {
      name: "whale-ext",
      kind: "external",
      upstream: { baseURL: `${urlB}/v1`, model: "whale-b", apiKey: keyOnB },
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
      pricing: { perCall: "500", per1kOutputTokens: "2000" },
      split: { ownerBps: 4000, dataBps: 6000 },
    });
    expect(registered.status).toBe(201);
    const ext = (await registered.json()) as { tributary: Record<string, unknown> };
    expect(ext.tributary).toMatchObject({
      kind: "external",
      upstream: { baseURL: `${urlB}/v1`, model: "whale-b" },
      datanetVersions: [{ datanetId: datanetId.toString(), version: 1 }],
    });
    expect(JSON.stringify(ext)).not.toContain(keyOnB);
    const listed = await client.models.list();
    const item = listed.data.find((m) => m.id === "whale-ext") as unknown as {
      tributary: Record<string, unknown>;
    };
    expect(item.tributary.datanetVersions).toEqual([{ datanetId: datanetId.toString(), version: 1 }]);
    expect(JSON.stringify(listed)).not.toContain(keyOnB);

    // Non-streaming.
    const { data, response } = await client.chat.completions
      .create({
        model: "whale-ext",
        messages: [{ role: "user", content: "Tell me about the whale." }],
        temperature: 0,
      })
      .withResponse();
    const text = data.choices[0]!.message.content ?? "";
    expect(text).toContain("whale swam north past the ice");
    const t = (data as unknown as { tributary: { receipt: ReceiptJson & Record<string, unknown> } })
      .tributary;
    expect(response.headers.get("x-tributary-receipt")).toBe(t.receipt.id);
    const { receipt } = await checkStored(t.receipt.id, t.receipt);
    expect(receipt.attribution.algorithm).toBe("span-v1");
    expect((t.receipt.attribution as unknown as { params: Record<string, unknown> }).params).toEqual({
      tokenizer: "r50k_base",
      minTokens: 8,
      maxCount: 64,
    });
    expect(receipt.attribution.contributions.length).toBeGreaterThan(0);
    expect(receipt.attribution.contributions.reduce((sum, c) => sum + c.ppm, 0)).toBe(1_000_000);
    for (const c of receipt.attribution.contributions)
      expect(contributionIds).toContain(BigInt(c.contributionId));
    expect(t.receipt.datanetVersions).toEqual([{ datanetId: datanetId.toString(), version: "1" }]);
    expect(receipt.outputTokens).toBe(node.ctx.tokenizer.encode(text).length);
    expect(data.usage!.completion_tokens).toBe(receipt.outputTokens);
    // B served it to A's payer key and charged that payer, with its own receipt.
    const onB = await nodeB.db.selectFrom("receipts").selectAll().execute();
    expect(onB).toHaveLength(1);
    expect(onB[0]!.payer).toBe(upstreamPayer.toLowerCase());
    expect(onB[0]!.output).toBe(text);
    expect(await b.chargedSoFar(upstreamPayer)).toBe(BigInt(onB[0]!.charged));

    // Streaming: deltas forwarded, receipt durable before the final event.
    const stream = await client.chat.completions.create({
      model: "whale-ext",
      messages: [{ role: "user", content: "Tell me about the whale." }],
      temperature: 0,
      stream: true,
    });
    let streamed = "";
    let final: ReceiptJson | undefined;
    for await (const chunk of stream) {
      streamed += chunk.choices[0]?.delta.content ?? "";
      const tr = (chunk as unknown as { tributary?: { receipt: ReceiptJson } }).tributary;
      if (tr) {
        final = tr.receipt;
        expect(await receiptRows(final.id)).toHaveLength(1);
      }
    }
    expect(streamed).toBe(text);
    expect(final!.attribution.algorithm).toBe("span-v1");
    expect(final!.outputTokens).toBe(receipt.outputTokens);
    await checkStored(final!.id);

    // Client disconnect mid-stream: A charges the text it sent.
    const abort = new AbortController();
    const res = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "whale-ext",
        prompt: "User: Tell me about the whale.\nAssistant:",
        temperature: 0,
        stream: true,
      }),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-tributary-receipt")!;
    const reader = res.body!.getReader();
    let seen = "";
    while ((seen.match(/\n\n/g) ?? []).length < 3)
      seen += new TextDecoder().decode((await reader.read()).value);
    abort.abort();
    const [dropped] = await eventually(
      () => receiptRows(id),
      (r) => r.length === 1,
      "the dropped external stream's receipt",
    );
    const sentText = [...seen.matchAll(/^data: (.*)$/gm)]
      .map((m) => JSON.parse(m[1]!) as { choices: { text: string }[] })
      .map((e) => e.choices[0]!.text)
      .join("");
    expect(dropped!.output.startsWith(sentText)).toBe(true);
    expect(dropped!.output.length).toBeLessThan(text.length);
    const droppedReceipt = JSON.parse(dropped!.receipt_json) as ReceiptJson;
    expect(droppedReceipt.outputTokens).toBeLessThan(receipt.outputTokens);

    // Upstream failures are 502 with a hint: a wrong key (B answers 401), an unreachable upstream.
    const wrongKey = await post("/v1/models", {
      name: "whale-ext-badkey",
      kind: "external",
      upstream: { baseURL: `${urlB}/v1`, model: "whale-b", apiKey: "trib_wrong" },
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
      pricing: { perCall: "1", per1kOutputTokens: "1" },
      split: { ownerBps: 4000, dataBps: 6000 },
    });
    expect(wrongKey.status).toBe(201);
    const count = (await receiptRows()).length;
    const e1 = await client.completions
      .create({ model: "whale-ext-badkey", prompt: "The whale" })
      .catch((e) => e);
    expect(e1.status).toBe(502);
    expect(e1.code).toBe("upstream_error");
    expect(e1.type).toBe("server_error");
    expect(e1.error.tributary_code).toBe("UPSTREAM_ERROR");
    // Our own message: the status class and the request id, never the upstream's URL or body.
    expect(e1.message).toMatch(/4xx/);
    expect(e1.message).not.toContain(urlB);
    expect(e1.error.hint).toMatch(/upstream/);
    const e2 = await client.completions
      .create({ model: "whale-ext-badkey", prompt: "The whale", stream: true })
      .catch((e) => e);
    expect(e2.status).toBe(502);
    await post("/v1/models", {
      name: "whale-ext-down",
      kind: "external",
      upstream: { baseURL: "http://127.0.0.1:9/v1", model: "m" },
      trainedOn: [{ datanetId: datanetId.toString(), version: 1 }],
      pricing: { perCall: "1", per1kOutputTokens: "1" },
      split: { ownerBps: 4000, dataBps: 6000 },
    });
    const e3 = await client.completions
      .create({ model: "whale-ext-down", prompt: "The whale" })
      .catch((e) => e);
    expect(e3.status).toBe(502);
    expect(e3.code).toBe("upstream_unreachable");
    expect(e3.error.tributary_code).toBe("UPSTREAM_UNREACHABLE");
    expect((await receiptRows()).length).toBe(count);
  }, 60_000);

  it("attributes an external model against every trained-on version (union of their documents)", async () => {
    const contributor = chain.accounts[6]!;
    const { version } = await contributeAndPublish({
      url,
      datanetId,
      contributor,
      documents: [
        {
          name: "ice.txt",
          content:
            "Far to the north the ice groaned all night, and the lookout counted seven icebergs before the bell.",
        },
      ],
    });
    expect(version).toBe(2);
    const upstream = (await gateway.getModel("whale-ext")).upstream!;
    const res = await post("/v1/models", {
      name: "whale-ext-2v",
      kind: "external",
      upstream,
      trainedOn: [
        { datanetId: datanetId.toString(), version: 1 },
        { datanetId: datanetId.toString(), version: 2 },
      ],
      pricing: { perCall: "500", per1kOutputTokens: "2000" },
      split: { ownerBps: 4000, dataBps: 6000 },
    });
    expect(res.status).toBe(201);
    const data = await client.chat.completions.create({
      model: "whale-ext-2v",
      messages: [{ role: "user", content: "Tell me about the whale." }],
      temperature: 0,
    });
    const r = (data as unknown as { tributary: { receipt: ReceiptJson & Record<string, unknown> } }).tributary
      .receipt;
    expect(r.datanetVersions).toEqual([
      { datanetId: datanetId.toString(), version: "1" },
      { datanetId: datanetId.toString(), version: "2" },
    ]);
    expect(r.attribution.algorithm).toBe("span-v1");
    expect(r.attribution.contributions.reduce((sum, c) => sum + c.ppm, 0)).toBe(1_000_000);
    // The chat document is in both versions: found once in the union, it gets the whole share.
    const single = await client.chat.completions.create({
      model: "whale-ext",
      messages: [{ role: "user", content: "Tell me about the whale." }],
      temperature: 0,
    });
    const one = (single as unknown as { tributary: { receipt: ReceiptJson } }).tributary.receipt;
    expect(r.attribution.contributions).toEqual(one.attribution.contributions);
    await checkStored(r.id, r);
  }, 60_000);

  it("charges an agent's fee on top and puts the agent in the receipt; refuses unknown, inactive or disallowed agents", async () => {
    const listed = await client.models.list();
    const idOf = (name: string) =>
      BigInt(
        (listed.data.find((m) => m.id === name) as unknown as { tributary: { modelId: string } }).tributary
          .modelId,
      );
    const operator = payerClient(5);
    const { agentId } = await registerAgent(operator, {
      agentCardURI: "ipfs://agent",
      allowedModels: [idOf("whale-ig")],
      feeBps: 1000,
    });
    const { agentId: otherAgent } = await registerAgent(operator, {
      agentCardURI: "ipfs://other",
      allowedModels: [idOf("whale-ig-2")],
      feeBps: 0,
    });
    const { agentId: goneAgent } = await registerAgent(operator, {
      agentCardURI: "ipfs://gone",
      allowedModels: [idOf("whale-ig")],
      feeBps: 0,
    });
    await deactivateAgent(operator, { agentId: goneAgent });

    const { data } = await client.completions
      .create(
        { model: "whale-ig", prompt: "The whale rose", temperature: 0, max_tokens: 8 },
        { headers: { "X-Tributary-Agent": agentId.toString() } },
      )
      .withResponse();
    const r = (data as unknown as { tributary: { receipt: ReceiptJson & Record<string, unknown> } }).tributary
      .receipt;
    expect(r.agentId).toBe(agentId.toString());
    expect(r.agentFeeBps).toBe(1000);
    expect(r.price).toBe("1040");
    expect(r.agentFee).toBe("104");
    expect(r.charged).toBe("1144");
    expect(r.parts.find((p) => p.role === "agent")).toEqual({
      role: "agent",
      account: chain.accounts[5]!.address.toLowerCase(),
      amount: "104",
    });
    await checkStored(r.id, r);

    // The body field works too.
    const viaBody = await client.completions.create({
      model: "whale-ig",
      prompt: "The whale rose",
      max_tokens: 2,
      tributary: { agentId: agentId.toString() },
    } as never);
    expect(
      (viaBody as unknown as { tributary: { receipt: { agentId: string } } }).tributary.receipt.agentId,
    ).toBe(agentId.toString());

    const refused = async (
      headers: Record<string, string>,
      body: Record<string, unknown>,
      status: number,
      code: string,
    ) => {
      const res = await post(
        "/v1/completions",
        { model: "whale-ig", prompt: "The whale", max_tokens: 2, ...body },
        { authorization: `Bearer ${keyA}`, ...headers },
      );
      const j = (await res.json()) as OpenAiError;
      expect([res.status, j.error.tributary_code]).toEqual([status, code]);
      expect(j.error.code).toBe(code === "INVALID_BODY" ? "invalid_value" : code.toLowerCase());
      expect(j.error.param).toBe("tributary.agentId");
      expect(j.error.hint.length).toBeGreaterThan(10);
    };
    await refused({ "x-tributary-agent": "999" }, {}, 400, "UNKNOWN_AGENT");
    await refused({ "x-tributary-agent": "abc" }, {}, 400, "INVALID_AGENT_ID");
    await refused({}, { tributary: { agentId: "x" } }, 400, "INVALID_BODY");
    await refused(
      { "x-tributary-agent": agentId.toString() },
      { tributary: { agentId: otherAgent.toString() } },
      400,
      "AGENT_MISMATCH",
    );
    await refused({ "x-tributary-agent": otherAgent.toString() }, {}, 403, "AGENT_MODEL_NOT_ALLOWED");
    await refused({ "x-tributary-agent": goneAgent.toString() }, {}, 403, "AGENT_INACTIVE");

    // Credit is checked with the fee: 1100 covers a 20-token request (1100) but not with a 10% fee (1210).
    const tight = chain.accounts[2]!.address;
    await mintTokens(node.ctx.chain!.sdk, { to: tight, amount: 10n ** 18n });
    await approveAndDeposit(payerClient(2), { amount: 1100n });
    const { key } = await gateway.createApiKey(tight);
    const tightClient = new OpenAI({ apiKey: key, baseURL: `${url}/v1`, maxRetries: 0 });
    const e = await tightClient.completions
      .create(
        { model: "whale-ig", prompt: "The whale", max_tokens: 20 },
        { headers: { "X-Tributary-Agent": agentId.toString() } },
      )
      .catch((x) => x);
    expect(e.status).toBe(402);
    expect(e.code).toBe("insufficient_quota");
    expect(e.error.tributary_code).toBe("INSUFFICIENT_CREDIT");
    expect(e.message).toMatch(/agent fee/);
    const ok = await tightClient.completions.create({
      model: "whale-ig",
      prompt: "The whale",
      max_tokens: 20,
    });
    expect(ok.choices).toHaveLength(1);
  }, 60_000);

  it("serves a payer again once its withdrawal request is cancelled (projection follows)", async () => {
    const leaving = chain.accounts[9]!.address;
    await cancelWithdrawal(payerClient(9));
    const k = new OpenAI({ apiKey: keyLeaving, baseURL: `${url}/v1`, maxRetries: 0 });
    // Served at once (the chain is re-read when the projection still shows the request) ...
    const ok = await k.completions.create({ model: "whale-ig", prompt: "The whale", max_tokens: 2 });
    expect(ok.choices).toHaveLength(1);
    // ... and the projection catches up.
    await eventually(
      () => listPayers(node.db),
      (ps) => ps.some((p) => p.payer === leaving.toLowerCase() && p.withdrawalRequestedAt === 0),
      "the cancellation indexed",
    );
  });
});
