import { canonicalReceiptBytes, receiptFromJson, receiptHash, signReceipt } from "@tributary/core";
import { getFinalizedEpoch, getPendingEpoch } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaidNetwork, setupPaidNetwork } from "./testing/paidNetwork.ts";

type Json = Record<string, unknown>;

describe("attestor quorum: three nodes with their own keys, quorum 2, co-signing only after verification", () => {
  let net: PaidNetwork;
  const post = async (url: string, path: string, body: unknown = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  /** Every co-sign answer a node received (a pass-through of the real fetch that reads a copy of the body). */
  const cosigns: { status: number; code?: string; message?: string }[] = [];
  const recordingFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (String(input).includes("/cosign")) {
      const body = (await res
        .clone()
        .json()
        .catch(() => ({}))) as { error?: { code: string; message: string } };
      cosigns.push({ status: res.status, ...(body.error ?? {}) });
    }
    return res;
  };

  beforeAll(async () => {
    net = await setupPaidNetwork({ nodeCount: 3, quorum: 2, epochOptions: { fetch: recordingFetch } });
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("node A's report is co-signed by B after B's own verification and lands with two signatures", async () => {
    const [a, b, c] = net.nodes;
    for (const prompt of ["Tell me about the whale.", "Call me Ishmael."]) {
      expect((await net.chat(net.payers[0]!.key, prompt, { temperature: 0 })).status).toBe(200);
    }
    const closed = await post(a!.url, "/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    expect(closed.body.status).toBe("submitted");
    expect(closed.body.signers).toEqual([a!.account, b!.account]);
    // B downloaded the bundle to verify it, and serves it too; C was not needed.
    const cid = closed.body.bundleCid as string;
    expect(await b!.node.ctx.store.has(cid)).toBe(true);
    expect(await c!.node.ctx.store.has(cid)).toBe(false);
    // C verifies on its own from A's bundle and agrees.
    const verified = await post(c!.url, "/v1/epochs/1/verify", { nodeURL: a!.url });
    expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, receiptCount: 2 });
    await net.advance(61);
    expect((await post(a!.url, "/v1/epochs/1/finalize")).body.status).toBe("finalized");
  });

  it("a tampered receipt (A re-signs it paying its owner more) is not co-signed: A finds it too, quarantines it, and only the rest is submitted", async () => {
    const [a, b, c] = net.nodes;
    const served: string[] = [];
    for (const prompt of ["Tell me about the whale.", "Call me Ishmael."]) {
      const res = await net.chat(net.payers[0]!.key, prompt, { temperature: 0 });
      expect(res.status).toBe(200);
      served.push(res.headers.get("x-tributary-receipt")!);
    }
    const db = a!.node.db;
    const row = await db
      .selectFrom("receipts")
      .selectAll()
      .where("id", "=", served[0]!)
      .executeTakeFirstOrThrow();
    const honest = receiptFromJson(row.receipt_json);
    const parts = honest.parts.map((p) => ({ ...p }));
    const owner = parts.find((p) => p.role === "owner")!;
    const contributor = parts.find((p) => p.role === "contributor" && p.amount > 0n)!;
    owner.amount += 1n;
    contributor.amount -= 1n;
    const forged = { ...honest, parts };
    const account = a!.node.ctx.chain!.walletClient.account as never;
    await db
      .updateTable("receipts")
      .set({
        receipt_json: new TextDecoder().decode(canonicalReceiptBytes(forged)),
        hash: receiptHash(forged),
        signature: await signReceipt(account, forged),
      })
      .where("id", "=", row.id)
      .execute();
    cosigns.length = 0;

    const closed = await post(a!.url, "/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    // B refused the tampered bundle, naming the receipt and the field; then co-signed the bundle without it.
    expect(cosigns[0]).toMatchObject({ status: 422, code: "BUNDLE_MISMATCH" });
    expect(cosigns[0]!.message).toContain(row.id);
    expect(cosigns[0]!.message).toMatch(/parts\[(owner|contributor:\d+)\]\.amount/);
    expect(cosigns.at(-1)).toMatchObject({ status: 200 });
    expect(closed.body).toMatchObject({ epoch: 2, status: "submitted", receiptCount: 1 });
    expect(closed.body.signers).toEqual([a!.account, b!.account]);
    const honestCharge = BigInt(
      (
        await db
          .selectFrom("receipts")
          .select("charged")
          .where("id", "=", served[1]!)
          .executeTakeFirstOrThrow()
      ).charged,
    );
    expect(BigInt(closed.body.epochCharged as string)).toBe(honestCharge);
    const view = (await (await fetch(`${a!.url}/v1/epochs/2`)).json()) as Json;
    const quarantined = view.quarantined as { receiptId: string; reason: string }[];
    expect(quarantined.map((q) => q.receiptId)).toEqual([row.id]);
    expect(quarantined[0]!.reason).toMatch(/parts\[(owner|contributor:\d+)\]\.amount/);
    // The forged receipt is in no tree: C, on its own, agrees with what was submitted.
    const verified = await post(c!.url, "/v1/epochs/2/verify", { nodeURL: a!.url });
    expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, receiptCount: 1 });
    expect((await getPendingEpoch(net.sdkOf(0))).epoch).toBe(2n);
    await net.advance(61);
    expect((await post(a!.url, "/v1/epochs/2/finalize")).body.status).toBe("finalized");
    expect((await getFinalizedEpoch(net.sdkOf(0))).epoch).toBe(2n);
  });

  it("below quorum nothing is submitted, so nothing can finalize", async () => {
    const [a, b, c] = net.nodes;
    await b!.node.stop();
    await c!.node.stop();
    const closed = await post(a!.url, "/v1/epochs/close", { allowEmpty: true });
    expect(closed.status).toBe(503);
    expect((closed.body.error as Json).message).toMatch(/1 of 2 attestor signatures/);
    expect((await getPendingEpoch(net.sdkOf(0))).epoch).toBe(0n);
    expect((await getFinalizedEpoch(net.sdkOf(0))).epoch).toBe(2n);
    net.nodes.splice(1); // already stopped
  });
});
