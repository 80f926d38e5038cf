import { settlementAbi } from "@tributary/abi";
import { getPendingEpoch } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type NodeDatabase } from "../db/index.ts";
import { type PaidNetwork, setupPaidNetwork } from "../epochs/testing/paidNetwork.ts";
import { eventually } from "../testing/eventually.ts";
import { createTestDatabase, type TestDatabase } from "../testing/testPostgres.ts";
import { type Replica, spawnReplica } from "./testing/spawnReplica.ts";

/** Payer 0's deposit: ~17 requests of at most 1120 units each (1000 per call + 5000 per 1k of 24 tokens). */
const DEPOSIT = 20_000n;
const REQUESTS = 48;

describe("two node replicas on one PostgreSQL database (child processes, anvil)", () => {
  let net: PaidNetwork;
  let pgdb: TestDatabase;
  let db: NodeDatabase;
  let a: Replica;
  let b: Replica;

  beforeAll(async () => {
    pgdb = await createTestDatabase();
    // Setup (datanet, model, payers, API keys) through one in-process node on the database, then stopped.
    net = await setupPaidNetwork({ databaseUrl: () => pgdb.url, deposit: DEPOSIT });
    const dataDir = net.nodes[0]!.node.ctx.dataDir;
    await net.nodes[0]!.node.stop();
    net.nodes.splice(0);
    const replica = {
      dataDir,
      databaseUrl: pgdb.url,
      rpcUrl: net.chain.anvil.rpcUrl,
      deployment: net.chain.deployment,
      accountIndex: 3,
    };
    // A starts first and becomes the epoch closer; it dies (SIGKILL) right after broadcasting its report.
    a = await spawnReplica({ ...replica, env: { TRIBUTARY_FAILPOINT: "after-broadcast" } });
    await eventually(
      () => a.leadership(),
      (l) => l.epochLeader && l.indexerLeader,
      "replica A leads",
    );
    b = await spawnReplica(replica);
    db = await createDatabase({ path: "", url: pgdb.url });
  }, 180_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.close();
    await net?.chain.stop();
    await pgdb?.drop();
  });

  it("concurrent load on one small deposit through both replicas never overspends; receipts = answers", async () => {
    expect(await b.leadership()).toEqual({ indexerLeader: false, epochLeader: false });
    const payer = net.payers[0]!;
    // Warm both replicas (key cache, index load) with another payer, so the burst races on admission only.
    for (const replica of [a, b]) {
      const res = await fetch(`${replica.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${net.payers[1]!.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: net.model, messages: [{ role: "user", content: "Call me Ishmael." }] }),
      });
      expect(res.status).toBe(200);
    }
    const results = await Promise.all(
      Array.from({ length: REQUESTS }, async (_, i) => {
        const replica = i % 2 === 0 ? a : b;
        const res = await fetch(`${replica.url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: `Bearer ${payer.key}`, "content-type": "application/json" },
          body: JSON.stringify({
            model: net.model,
            messages: [{ role: "user", content: "Tell me about the whale." }],
            max_tokens: 24,
            seed: i,
          }),
        });
        const body = (await res.json()) as { error?: { code: string } };
        return {
          replica,
          status: res.status,
          code: body.error?.code,
          receipt: res.headers.get("x-tributary-receipt"),
        };
      }),
    );
    const served = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(
      refused.every((r) => r.status === 402 && r.code === "insufficient_quota"),
      JSON.stringify(refused.map(({ status, code }) => ({ status, code }))),
    ).toBe(true);
    // The load is more than the deposit covers, and both replicas served part of it.
    expect(refused.length).toBeGreaterThan(0);
    expect(served.filter((r) => r.replica === a).length).toBeGreaterThan(0);
    expect(served.filter((r) => r.replica === b).length, `${served.length} served`).toBeGreaterThan(0);

    const receipts = await db.db
      .selectFrom("receipts")
      .select(["id", "charged"])
      .where("payer", "=", payer.address.toLowerCase())
      .execute();
    expect(receipts.map((r) => r.id).sort()).toEqual(served.map((r) => r.receipt).sort());
    const charged = receipts.reduce((s, r) => s + BigInt(r.charged), 0n);
    expect(charged).toBeLessThanOrEqual(DEPOSIT);
    const total = await db.db
      .selectFrom("payer_charges")
      .select("charged")
      .where("payer", "=", payer.address.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(BigInt(total.charged)).toBe(charged);
    // Every hold is released once its request is answered.
    await eventually(
      () => db.db.selectFrom("credit_holds").selectAll().execute(),
      (h) => h.length === 0,
      "holds",
    );
  }, 120_000);

  it("a crashed replica's hold counts against the payer until it lapses, then is ignored and deleted", async () => {
    const payer = net.payers[2]!;
    const chat = () =>
      fetch(`${b.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${payer.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: net.model, messages: [{ role: "user", content: "The whale rose" }] }),
      });
    // A hold of the whole deposit, left by a replica that died mid-request.
    await db.db
      .insertInto("credit_holds")
      .values({
        id: "orphan",
        payer: payer.address.toLowerCase(),
        amount: DEPOSIT.toString(),
        expires_at: Date.now() + 60_000,
        created_at: new Date().toISOString(),
      })
      .execute();
    const refused = await chat();
    expect(refused.status).toBe(402);
    await db.db
      .updateTable("credit_holds")
      .set({ expires_at: Date.now() - 1 })
      .where("id", "=", "orphan")
      .execute();
    const served = await chat();
    expect(served.status, await served.clone().text()).toBe(200);
    expect(await db.db.selectFrom("credit_holds").select("id").where("id", "=", "orphan").execute()).toEqual(
      [],
    );
  }, 60_000);

  it("kill -9 of the epoch closer mid-close: the other replica takes over and exactly one report lands", async () => {
    const waiting = await db.db.selectFrom("receipts").select("id").execute();
    expect(waiting.length).toBeGreaterThan(0);
    // A dies right after broadcasting epoch 1's report, before recording it.
    await expect(fetch(`${a.url}/v1/epochs/close`, { method: "POST" })).rejects.toThrow();
    expect((await a.exited).signal).toBe("SIGKILL");
    await eventually(
      () => b.leadership(),
      (l) => l.epochLeader && l.indexerLeader,
      "replica B takes over",
      30_000,
    );
    const view = await eventually(
      async () =>
        (await (await fetch(`${b.url}/v1/epochs/1`)).json()) as { status?: string; receiptCount?: number },
      (v) => v.status === "submitted",
      "epoch 1 submitted by B",
      30_000,
    );
    expect(view.receiptCount).toBe(waiting.length);
    expect((await getPendingEpoch(net.sdkOf(0))).epoch).toBe(1n);
    const submitted = await net.chain.publicClient.getContractEvents({
      address: net.chain.deployment.contracts.settlement,
      abi: settlementAbi,
      eventName: "EpochSubmitted",
      fromBlock: 0n,
    });
    expect(submitted.map((e) => e.args.epoch)).toEqual([1n]);
    // B serves on: a new request is admitted and lands after the cut.
    const res = await fetch(`${b.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${net.payers[1]!.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: net.model, messages: [{ role: "user", content: "Call me Ishmael." }] }),
    });
    expect(res.status).toBe(200);
  }, 120_000);
});
