import { canonicalReceiptBytes, receiptFromJson, receiptHash, signReceipt } from "@tributary/core";
import { cosignRequestBody, getFinalizedEpoch, getPendingEpoch, signCosignRequest } from "@tributary/sdk";
import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaidNetwork, setupPaidNetwork } from "./testing/paidNetwork.ts";
import { receiptsOf } from "./testing/receiptsOf.ts";

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

  beforeAll(async () => {
    net = await setupPaidNetwork({ nodeCount: 3, quorum: 2 });
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

  it("a tampered bundle (A re-signs a receipt paying its owner more) is not co-signed: nothing is submitted", async () => {
    const [a, b, c] = net.nodes;
    expect((await net.chat(net.payers[0]!.key, "Tell me about the whale.", { temperature: 0 })).status).toBe(
      200,
    );
    const db = a!.node.db;
    const [open] = await receiptsOf(a!.node);
    const row = await db
      .selectFrom("receipts")
      .selectAll()
      .where("id", "=", open!.id)
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

    const closed = await post(a!.url, "/v1/epochs/close");
    expect(closed.status).toBe(503);
    const error = closed.body.error as Json;
    expect(error.code).toBe("QUORUM_NOT_REACHED");
    expect(error.message).toContain("BUNDLE_MISMATCH");
    expect(error.message).toContain(row.id); // the receipt that differs is named
    expect(error.message).toMatch(/parts\[(owner|contributor:\d+)\]\.amount/);
    const sdk = net.sdkOf(0);
    expect((await getPendingEpoch(sdk)).epoch).toBe(0n);
    expect((await getFinalizedEpoch(sdk)).epoch).toBe(1n);
    // Each peer says why, on its own verification of A's bundle.
    const view = (await (await fetch(`${a!.url}/v1/epochs/2`)).json()) as Json;
    expect(view.status).toBe("bundled");
    const report = {
      epoch: 2n,
      chargesRoot: view.chargesRoot as Hex,
      rewardsRoot: view.rewardsRoot as Hex,
      cumulativeCharged: BigInt(view.cumulativeCharged as string),
      cumulativeRewards: BigInt(view.cumulativeRewards as string),
      receiptsRoot: view.receiptsRoot as Hex,
      bundleURI: view.bundleURI as string,
    };
    for (const peer of [b!, c!]) {
      // Signed by A's attestor key, as A's own close does.
      const signed = await signCosignRequest(net.chain.accounts[3]! as never, {
        chainId: net.chain.deployment.chainId,
        settlement: net.chain.deployment.contracts.settlement,
        report,
        receiptCount: BigInt(view.receiptCount as number),
        nodeURL: a!.url,
      });
      const res = await post(peer.url, "/v1/epochs/2/cosign", cosignRequestBody(report, signed));
      expect(res.status).toBe(422);
      expect((res.body.error as Json).code).toBe("BUNDLE_MISMATCH");
    }
  });

  it("below quorum nothing is submitted, so nothing can finalize", async () => {
    const [a, b, c] = net.nodes;
    await b!.node.stop();
    await c!.node.stop();
    const closed = await post(a!.url, "/v1/epochs/close");
    expect(closed.status).toBe(503);
    expect((closed.body.error as Json).message).toMatch(/1 of 2 attestor signatures/);
    expect((await getPendingEpoch(net.sdkOf(0))).epoch).toBe(0n);
    net.nodes.splice(1); // already stopped
  });
});
