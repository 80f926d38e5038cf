import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { type Receipt, verifyReceiptSignature } from "@tributary/core";
import {
  approveAndDeposit,
  createNodeClient,
  createTributaryClient,
  mintTokens,
  requestWithdrawal,
  signUpload,
} from "@tributary/sdk";
import OpenAI from "openai";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode, type TributaryNode } from "../createNode.ts";
import { createDatanetRoutes, createVersionRoutes } from "../datanets/index.ts";
import { createGatewayRoutes } from "./createGatewayRoutes.ts";
import { createGatewayService, type GatewayService } from "./createGatewayService.ts";

type ReceiptJson = {
  id: string;
  payer: string;
  charged: string;
  price: string;
  outputTokens: number;
  parts: { role: string; account: string; amount: string; contributionId?: string }[];
  attribution: { algorithm: string; contributions: { contributionId: string; ppm: number }[] };
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
  const pricing = f<{ perCall: string; per1kOutputTokens: string }>("pricing");
  return {
    version: 1,
    id: f("id"),
    payer: f("payer"),
    modelId: big(j.modelId),
    datanetVersions: f<{ datanetId: string; version: string }[]>("datanetVersions").map((d) => ({
      datanetId: big(d.datanetId),
      version: big(d.version),
    })),
    inputHash: f("inputHash"),
    outputHash: f("outputHash"),
    inputTokens: f("inputTokens"),
    outputTokens: f("outputTokens"),
    pricing: { perCall: big(pricing.perCall), per1kOutputTokens: big(pricing.per1kOutputTokens) },
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

  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
    const end = Date.now() + 20_000;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

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
        (ctx) => createGatewayRoutes(ctx, { streamDelayMs: 40 }),
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
    const datanetId = BigInt(raw);
    const staged = await api.stageUpload({
      datanetId,
      contributor: contributor.address,
      files: [
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
    });
    const done = await api.submitUpload(staged.id, await signUpload(staged, contributor));
    const ids = done.documents.map((d) => BigInt(d.contributionId as string));
    await eventually(
      () => api.listContributions(datanetId, { status: "Pending" }),
      (p) => p.items.length === 2,
      "pending contributions",
    );
    await api.review(
      datanetId,
      ids.map((contributionId) => ({ contributionId, verdict: "accept" as const })),
    );
    await eventually(
      () => api.listContributions(datanetId, { status: "Accepted" }),
      (p) => p.items.length === 2,
      "accepted contributions",
    );
    await api.publishVersion(datanetId);

    gateway = createGatewayService(node.ctx);
    await gateway.registerInfinigramModel({
      datanetId,
      version: 1,
      pricing: { perCall: 1000n, per1kOutputTokens: 5000n },
      split: { ownerBps: 3000, dataBps: 7000 },
      name: "whale-ig",
    });

    // Payers: A deposits, "poor" has nothing, "leaving" deposits then requests a withdrawal.
    const nodeSdk = node.ctx.chain!.sdk;
    const payerClient = (i: number) =>
      createTributaryClient({
        publicClient: chain.publicClient as never,
        walletClient: chain.wallets[i] as never,
        addresses: chain.deployment.contracts,
      });
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
    expect(unauth.code).toBe("INVALID_API_KEY");

    const res = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "whale-ig", messages: "hello" }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, string> };
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "INVALID_BODY" });
    expect(body.error.message).toMatch(/messages/);
    expect(body.error.hint).toBeTruthy();

    const notJson = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${keyA}`, "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);

    const e404 = await client.completions.create({ model: "nope", prompt: "x" }).catch((e) => e);
    expect(e404).toBeInstanceOf(OpenAI.NotFoundError);
    expect(e404.code).toBe("MODEL_NOT_FOUND");
  });

  it("refuses with 402 a payer without credit, one whose max charge exceeds it, and one withdrawing", async () => {
    const count = (await receiptRows()).length;
    const poor = new OpenAI({ apiKey: keyPoor, baseURL: `${url}/v1`, maxRetries: 0 });
    // Deposit 1100; max charge with the default 64 tokens is 1000 + ceil(5000 × 64 / 1000) = 1320.
    const e1 = await poor.completions.create({ model: "whale-ig", prompt: "The whale" }).catch((e) => e);
    expect(e1.status).toBe(402);
    expect(e1.code).toBe("INSUFFICIENT_CREDIT");
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
    expect(e2.code).toBe("WITHDRAWAL_PENDING");
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
});
