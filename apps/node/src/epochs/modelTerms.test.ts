import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalReceiptBytes, receiptFromJson, receiptHash, signReceipt } from "@tributary/core";
import { deprecateModel, setModelPricing, setModelSplit, transferModelOwnership } from "@tributary/sdk";
import { getAddress } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode } from "../createNode.ts";
import { modelTermsHistory } from "../indexer/handlers/models.ts";
import { type PaidNetwork, setupPaidNetwork } from "./testing/paidNetwork.ts";
import { receiptsOf } from "./testing/receiptsOf.ts";

type Json = Record<string, unknown>;

describe("model terms follow the chain: the gateway charges the current terms, the verifier accepts each receipt's", () => {
  let net: PaidNetwork;
  let url: string;
  let modelId: bigint;
  const post = async (path: string, body: unknown = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  /** Serves one chat completion; returns its stored receipt. */
  const serve = async () => {
    const res = await net.chat(net.payers[0]!.key, "Tell me about the whale.", { temperature: 0 });
    const body = (await res.json()) as Json;
    expect(res.status, JSON.stringify(body)).toBe(200);
    const id = (body.tributary as { receipt: { id: string } }).receipt.id;
    const row = await net.nodes[0]!.node.db.selectFrom("receipts")
      .select("receipt_json")
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    return receiptFromJson(row.receipt_json);
  };
  /** Serves until the gateway has seen the chain's change (`ok`), within 10 s. */
  const serveUntil = async (ok: (r: Awaited<ReturnType<typeof serve>>) => boolean) => {
    const end = Date.now() + 10_000;
    for (;;) {
      const r = await serve();
      if (ok(r)) return r;
      if (Date.now() > end) throw new Error("the gateway did not pick up the change");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  beforeAll(async () => {
    net = await setupPaidNetwork();
    url = net.nodes[0]!.url;
    const listed = (await (await fetch(`${url}/v1/models`)).json()) as {
      data: { id: string; tributary: { modelId: string } }[];
    };
    modelId = BigInt(listed.data.find((m) => m.id === net.model)!.tributary.modelId);
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("charges the new pricing, split and owner once the chain has them; one epoch holds receipts of each and verifies", async () => {
    const first = await serve();
    expect(first.pricing).toEqual({ perCall: 1000n, per1kOutputTokens: 5000n, per1kInputTokens: 0n });
    const owner = net.sdkOf(3); // node 0's key registered the model

    await setModelPricing(owner, {
      modelId,
      pricing: { perCall: 2000n, per1kOutputTokens: 1000n, per1kInputTokens: 3000n },
    });
    const repriced = await serveUntil((r) => r.pricing.perCall === 2000n);
    expect(repriced.pricing.per1kOutputTokens).toBe(1000n);
    expect(repriced.pricing.per1kInputTokens).toBe(3000n);
    expect(repriced.inputTokens).toBeGreaterThan(0);
    expect(repriced.price).toBe(
      2000n + (1000n * BigInt(repriced.outputTokens)) / 1000n + 3n * BigInt(repriced.inputTokens),
    );

    await setModelSplit(owner, { modelId, split: { ownerBps: 5000, dataBps: 5000 } });
    await serveUntil((r) => r.split.ownerBps === 5000);

    const newOwner = net.chain.accounts[1]!.address;
    await transferModelOwnership(owner, { modelId, newOwner });
    const transferred = await serveUntil((r) =>
      r.parts.some((p) => p.role === "owner" && getAddress(p.account) === newOwner),
    );
    expect(transferred.parts.reduce((s, p) => s + p.amount, 0n)).toBe(transferred.price);
    const listed = (await (await fetch(`${url}/v1/models`)).json()) as {
      data: { id: string; tributary: { owner: string; pricing: { perCall: string } } }[];
    };
    const view = listed.data.find((m) => m.id === net.model)!.tributary;
    expect(getAddress(view.owner)).toBe(newOwner);
    expect(view.pricing.perCall).toBe("2000");

    const closed = await post("/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    const verified = await post("/v1/epochs/1/verify");
    expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, differences: [] });
    // The epoch holds receipts under three different terms.
    const receipts = await Promise.all(
      (await receiptsOf(net.nodes[0]!.node, 1)).map(async (r) =>
        receiptFromJson(
          (
            await net.nodes[0]!.node.db.selectFrom("receipts")
              .select("receipt_json")
              .where("id", "=", r.id)
              .executeTakeFirstOrThrow()
          ).receipt_json,
        ),
      ),
    );
    const terms = new Set(receipts.map((r) => `${r.pricing.perCall}/${r.split.ownerBps}`));
    expect(terms.has("1000/3000") && terms.has("2000/3000") && terms.has("2000/5000")).toBe(true);
  }, 60_000);

  it("flags a receipt whose terms the model never had, naming it", async () => {
    await net.advance(61);
    expect((await post("/v1/epochs/1/finalize")).body.status).toBe("finalized");
    const honest = await serve();
    // The node re-signs the receipt with a price the model never had (perCall 1500), parts still summing.
    const db = net.nodes[0]!.node.db;
    const parts = honest.parts.map((p) => ({ ...p }));
    const ownerPart = parts.find((p) => p.role === "owner")!;
    ownerPart.amount -= 500n;
    const forged = {
      ...honest,
      pricing: { ...honest.pricing, perCall: 1500n },
      price: honest.price - 500n,
      charged: honest.charged - 500n,
      parts,
    };
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
    const differences = verified.body.differences as { receiptId?: string; field: string }[];
    expect(differences.some((d) => d.receiptId === honest.id && /pricing/.test(d.field))).toBe(true);
  }, 60_000);

  it("a node upgraded over logs indexed before the terms projection fills it from them at start", async () => {
    const chain = net.chain;
    const config = (dataDir: string, pollIntervalMs: number) => ({
      dataDir,
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[5]!,
        pollIntervalMs,
      },
    });
    const dataDir = mkdtempSync(join(tmpdir(), "terms-upgrade-"));
    const first = await createNode(config(dataDir, 0));
    await first.ctx.chain!.indexer.syncOnce();
    const history = await modelTermsHistory(first.db, modelId);
    expect(history.length).toBeGreaterThanOrEqual(4); // registered, repriced, new split, new owner
    // The state of a data directory indexed before migration 009: the logs, not the projection.
    await first.db.deleteFrom("model_terms").execute();
    await first.stop();
    const upgraded = await createNode(config(dataDir, 0));
    try {
      expect(await modelTermsHistory(upgraded.db, modelId)).toEqual(history);
    } finally {
      await upgraded.stop();
    }
  }, 60_000);

  it("stops serving a model deprecated on chain (410, no receipt) and lists it as deprecated", async () => {
    await deprecateModel(net.sdkOf(1), { modelId });
    const end = Date.now() + 10_000;
    let res: Response;
    for (;;) {
      res = await net.chat(net.payers[0]!.key, "Tell me about the whale.", { temperature: 0 });
      if (res.status === 410 || Date.now() > end) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const body = (await res.json()) as { error: { code: string; tributary_code: string; message: string } };
    expect(res.status, JSON.stringify(body)).toBe(410);
    expect(body.error).toMatchObject({ code: "model_not_found", tributary_code: "MODEL_DEPRECATED" });
    const before = await receiptsOf(net.nodes[0]!.node);
    expect((await net.chat(net.payers[0]!.key, "Call me Ishmael.")).status).toBe(410);
    expect(await receiptsOf(net.nodes[0]!.node)).toEqual(before);
    const listed = (await (await fetch(`${url}/v1/models`)).json()) as {
      data: { id: string; tributary: { deprecated: boolean } }[];
    };
    expect(listed.data.find((m) => m.id === net.model)!.tributary.deprecated).toBe(true);
  }, 60_000);
});
