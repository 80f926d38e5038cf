import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { settlementAbi } from "@tributary/abi";
import { getFinalizedEpoch, getPendingEpoch } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode } from "../../src/createNode.ts";
import { createDatabase } from "../../src/db/index.ts";
import { createEpochRoutes } from "../../src/epochs/createEpochRoutes.ts";
import { createEpochService, type EpochService } from "../../src/epochs/createEpochService.ts";
import { type PaidNetwork, setupPaidNetwork } from "../../src/epochs/testing/paidNetwork.ts";
import { createGatewayRoutes } from "../../src/gateway/createGatewayRoutes.ts";

const child = fileURLToPath(new URL("../../src/epochs/testing/closeChild.ts", import.meta.url));

type Json = Record<string, unknown>;

/**
 * One bad receipt never stalls settlement (issue 11, item 2). A receipt the peers cannot verify (here: its stored
 * prompt no longer hashes to its `inputHash`, what a lone surrogate did before INVALID_TEXT) used to mean no
 * co-signature, ever, with quorum 2. The closer now checks its own bundle when a peer refuses it, quarantines the
 * receipts that fail (durably, with the reason; the payer is not charged, nobody is paid for them), re-cuts the
 * same epoch without them and asks again.
 */
describe("abuse: a receipt that cannot be verified is quarantined and the epoch settles without it", () => {
  let net: PaidNetwork;
  const post = async (url: string, path: string, body: unknown = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const get = async (url: string, path: string) => (await (await fetch(`${url}${path}`)).json()) as Json;

  beforeAll(async () => {
    net = await setupPaidNetwork({ nodeCount: 2, quorum: 2 });
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("quorum 2: the corrupted receipt is left out, the rest is co-signed, the payer is not charged for it", async () => {
    const [a, b] = net.nodes;
    const [p0, p1] = net.payers;
    const served: { id: string; payer: string }[] = [];
    for (const [payer, prompt] of [
      [p0!, "Tell me about the whale."],
      [p1!, "Call me Ishmael."],
      [p0!, "Call me Ishmael."],
    ] as const) {
      const res = await net.chat(payer.key, prompt, { temperature: 0 });
      expect(res.status).toBe(200);
      served.push({ id: res.headers.get("x-tributary-receipt")!, payer: payer.address });
    }
    const bad = served[1]!.id;
    // The bug class: the prompt stored for the receipt is not the one it was hashed from (SQLite keeps a lone
    // surrogate's bytes and reads them back as other text).
    await a!.node.db
      .updateTable("receipts")
      .set({ input: "Call me Ishmael.\udc00" })
      .where("id", "=", bad)
      .execute();
    const charges = async () =>
      Object.fromEntries(
        (await a!.node.db.selectFrom("payer_charges").selectAll().execute()).map((r) => [
          r.payer,
          BigInt(r.charged),
        ]),
      );
    const chargedBefore = await charges();
    // The gateway's admission holds the payer's total in memory once read.
    expect(await net.gateway.chargedOf(p1!.address)).toBe(chargedBefore[p1!.address.toLowerCase()]);
    const rows = await a!.node.db.selectFrom("receipts").select(["id", "payer", "charged"]).execute();
    const chargeOf = (id: string) => BigInt(rows.find((r) => r.id === id)!.charged);

    const closed = await post(a!.url, "/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    expect(closed.body).toMatchObject({ epoch: 1, status: "submitted", receiptCount: 2 });
    expect(closed.body.signers).toEqual([a!.account, b!.account]);
    const good = chargeOf(served[0]!.id) + chargeOf(served[2]!.id);
    expect(BigInt(closed.body.epochCharged as string)).toBe(good);
    // Charges and rewards of the epoch balance exactly, without the quarantined receipt.
    expect(closed.body.cumulativeCharged).toBe(good.toString());
    expect(closed.body.cumulativeRewards).toBe(good.toString());

    // Visible: the epoch names the receipt and why; the receipt says it is in no epoch.
    const view = await get(a!.url, "/v1/epochs/1");
    const quarantined = view.quarantined as { receiptId: string; reason: string }[];
    expect(quarantined).toHaveLength(1);
    expect(quarantined[0]!.receiptId).toBe(bad);
    expect(quarantined[0]!.reason).toContain("inputHash");
    const receipt = await get(a!.url, `/v1/receipts/${bad}`);
    expect(receipt.epoch).toBeNull();
    expect((receipt.quarantine as Json).epoch).toBe(1);
    const listed = (await get(a!.url, "/v1/receipts?epoch=1")).items as { id: string }[];
    expect(listed.map((r) => r.id).sort()).toEqual([served[0]!.id, served[2]!.id].sort());

    // The payer of the bad receipt owes nothing for it: no charge leaf, its credit restored on the node.
    expect(await getPendingEpoch(net.sdkOf(0))).toMatchObject({ epoch: 1n });
    const p1Proof = await fetch(`${a!.url}/v1/accounts/${p1!.address}/proof?tree=charges`);
    expect(p1Proof.status).toBe(404);
    const chargedAfter = await charges();
    expect(chargedAfter[p1!.address.toLowerCase()]).toBe(
      chargedBefore[p1!.address.toLowerCase()]! - chargeOf(bad),
    );
    expect(chargedAfter[p0!.address.toLowerCase()]).toBe(chargedBefore[p0!.address.toLowerCase()]);
    // ...and in what the gateway's admission counts, at once (not after the payer's next receipt).
    expect(await net.gateway.chargedOf(p1!.address)).toBe(chargedAfter[p1!.address.toLowerCase()]);

    // The peer verifies the settled epoch on its own; it finalizes.
    const verified = await post(b!.url, "/v1/epochs/1/verify", { nodeURL: a!.url });
    expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, receiptCount: 2 });
    await net.advance(61);
    expect((await post(a!.url, "/v1/epochs/1/finalize")).body.status).toBe("finalized");
    expect((await getFinalizedEpoch(net.sdkOf(0))).epoch).toBe(1n);

    // The quarantined receipt never comes back: the next epoch holds only what was served since.
    const next = await net.chat(p1!.key, "Tell me about the whale.", { temperature: 0 });
    expect(next.status).toBe(200);
    const closed2 = await post(a!.url, "/v1/epochs/close");
    expect(closed2.status, JSON.stringify(closed2.body)).toBe(201);
    expect(closed2.body).toMatchObject({ epoch: 2, receiptCount: 1 });
    expect((await get(a!.url, "/v1/epochs/2")).quarantined).toEqual([]);
    const verified2 = await post(b!.url, "/v1/epochs/2/verify", { nodeURL: a!.url });
    expect(verified2.body, JSON.stringify(verified2.body)).toMatchObject({ ok: true, receiptCount: 1 });
  }, 120_000);

  it("SIGKILL right after the quarantine: the restarted node finishes the re-cut, nothing lost or counted twice", async () => {
    const [a, b] = net.nodes;
    const [p0, , p2] = net.payers;
    await net.advance(61);
    expect((await post(a!.url, "/v1/epochs/2/finalize")).body.status).toBe("finalized");
    const served: string[] = [];
    for (const payer of [p0!, p2!]) {
      const res = await net.chat(payer.key, "Call me Ishmael.", { temperature: 0 });
      expect(res.status).toBe(200);
      served.push(res.headers.get("x-tributary-receipt")!);
    }
    const bad = served[1]!;
    const db = () => net.nodes[0]!.node.db;
    await db()
      .updateTable("receipts")
      .set({ input: "Call me Ishmael.\udc00" })
      .where("id", "=", bad)
      .execute();
    const chargedOf = async (payer: string) =>
      BigInt(
        (
          await db()
            .selectFrom("payer_charges")
            .select("charged")
            .where("payer", "=", payer.toLowerCase())
            .executeTakeFirstOrThrow()
        ).charged,
      );
    const p2Before = await chargedOf(p2!.address);
    const badCharge = BigInt(
      (await db().selectFrom("receipts").select("charged").where("id", "=", bad).executeTakeFirstOrThrow())
        .charged,
    );

    // The close runs in a child process on A's data directory and dies right after the quarantine commits.
    const dataDir = a!.node.ctx.dataDir;
    await a!.node.stop();
    const proc = spawn(process.execPath, ["--import", "tsx", child], {
      env: {
        ...process.env,
        TRIBUTARY_FAILPOINT: "after-quarantine",
        TRIBUTARY_TEST_CONFIG: JSON.stringify({
          dataDir,
          rpcUrl: net.chain.anvil.rpcUrl,
          deployment: net.chain.deployment,
          accountIndex: 3,
          peers: [b!.url],
          port: Number(new URL(a!.url).port),
        }),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const signal = await new Promise((resolve) => proc.on("exit", (_code, s) => resolve(s)));
    expect(signal, stderr).toBe("SIGKILL");

    // The crash left the epoch re-cut (status cut) with the receipt quarantined, before any new bundle.
    const left = await createDatabase({ path: join(dataDir, "node.db") });
    expect(
      await left.db
        .selectFrom("epochs")
        .select(["status", "bundle_cid"])
        .where("epoch", "=", 3)
        .executeTakeFirst(),
    ).toEqual({ status: "cut", bundle_cid: null });
    expect(
      await left.db.selectFrom("receipt_quarantine").select("receipt_id").where("epoch", "=", 3).execute(),
    ).toEqual([{ receipt_id: bad }]);
    await left.close();

    // Restart: the node resumes the close from the re-cut row (the epoch routes start `resume()` on their own).
    let url = "";
    let service: EpochService | undefined;
    // On A's own address: B co-signs only for the peers it was configured with.
    const node = await createNode({
      dataDir,
      http: { port: Number(new URL(a!.url).port) },
      chain: {
        rpcUrl: net.chain.anvil.rpcUrl,
        deployment: net.chain.deployment,
        account: net.chain.accounts[3]!,
        pollIntervalMs: 100,
      },
      routes: [
        (ctx) => createGatewayRoutes(ctx),
        (ctx) => {
          service = createEpochService(ctx, { peers: [b!.url], publicUrl: () => url || undefined });
          return createEpochRoutes(ctx, { service });
        },
      ],
    });
    ({ url } = await node.listen());
    net.nodes[0] = { node, url, account: a!.account };
    const row = await service!.resume();
    expect(row).toMatchObject({ epoch: 3, status: "submitted", receipt_count: 1 });
    const quarantine = await db()
      .selectFrom("receipt_quarantine")
      .selectAll()
      .where("epoch", "=", 3)
      .execute();
    expect(quarantine.map((q) => q.receipt_id)).toEqual([bad]);
    // The payer got the charge back exactly once; the epoch charged only the good receipt.
    expect(await chargedOf(p2!.address)).toBe(p2Before - badCharge);
    const good = BigInt(
      (
        await db()
          .selectFrom("receipts")
          .select("charged")
          .where("id", "=", served[0]!)
          .executeTakeFirstOrThrow()
      ).charged,
    );
    expect(BigInt(row!.epoch_charged)).toBe(good);
    // Cumulative totals = every receipt ever served minus the quarantined ones.
    const all = await db().selectFrom("receipts").select(["id", "charged"]).execute();
    const out = new Set(
      (await db().selectFrom("receipt_quarantine").select("receipt_id").execute()).map((q) => q.receipt_id),
    );
    const expected = all.filter((r) => !out.has(r.id)).reduce((s, r) => s + BigInt(r.charged), 0n);
    expect(BigInt(row!.cumulative_charged!)).toBe(expected);
    expect(BigInt(row!.cumulative_rewards!)).toBe(expected);
    const submitted = await net.chain.publicClient.getContractEvents({
      address: net.chain.deployment.contracts.settlement,
      abi: settlementAbi,
      eventName: "EpochSubmitted",
      args: { epoch: 3n },
      fromBlock: 0n,
    });
    expect(submitted).toHaveLength(1);
    const verified = await post(b!.url, "/v1/epochs/3/verify", { nodeURL: url });
    expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, receiptCount: 1 });
    expect((await fetch(`${url}/health`)).status).toBe(200);
  }, 120_000);
});
