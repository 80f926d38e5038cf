import {
  claimRewards,
  createNodeClient,
  getClaimed,
  getDeposited,
  getFinalizedEpoch,
  getPendingEpoch,
  getTokenBalance,
  getWithdrawn,
  requestWithdrawal,
  withdraw,
} from "@tributary/sdk";
import type { Address } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../testing/testPostgres.ts";
import { type PaidNetwork, setupPaidNetwork } from "./testing/paidNetwork.ts";
import { receiptsOf } from "./testing/receiptsOf.ts";

type Json = Record<string, unknown>;

// The same suite on the node's two databases: SQLite (the default) and PostgreSQL (replicas; a fresh database).
describe.each(["sqlite", "postgres"])(
  "epochs on %s: close, verify, finalize, proofs, claims, withdrawals (anvil, node over HTTP)",
  (dialect) => {
    let net: PaidNetwork;
    let pgdb: TestDatabase | undefined;
    let url: string;
    const get = async (path: string) => {
      const res = await fetch(`${url}${path}`);
      return { status: res.status, body: (await res.json()) as Json };
    };
    const post = async (path: string, body: unknown = {}) => {
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Json };
    };
    const chargedInDb = async (epoch?: number) => {
      const rows =
        epoch === undefined
          ? await net.nodes[0]!.node.db.selectFrom("receipts").select("charged").execute()
          : await receiptsOf(net.nodes[0]!.node, epoch);
      return rows.reduce((s, r) => s + BigInt(r.charged), 0n);
    };

    beforeAll(async () => {
      pgdb = dialect === "postgres" ? await createTestDatabase() : undefined;
      const databaseUrl = pgdb?.url;
      net = await setupPaidNetwork(databaseUrl ? { databaseUrl: () => databaseUrl } : {});
      url = net.nodes[0]!.url;
    }, 120_000);
    afterAll(async () => {
      await net?.stop();
      await pgdb?.drop();
    });

    it("closes epoch 1 over the served receipts: trees, bundle, signature, submitted on chain", async () => {
      expect(net.nodes[0]!.node.ctx.dialect).toBe(dialect);
      for (const [i, prompt] of [
        "Tell me about the whale.",
        "Call me Ishmael.",
        "The whale rose",
      ].entries()) {
        const res = await net.chat(net.payers[i % 2]!.key, prompt, { temperature: 0 });
        expect(res.status, await res.clone().text()).toBe(200);
      }
      const closed = await post("/v1/epochs/close");
      expect(closed.status, JSON.stringify(closed.body)).toBe(201);
      const view = closed.body;
      expect(view).toMatchObject({ epoch: 1, status: "submitted", receiptCount: 3 });
      expect(BigInt(view.cumulativeCharged as string)).toBe(await chargedInDb(1));
      expect(view.cumulativeRewards).toBe(view.cumulativeCharged);
      expect(view.signers).toEqual([net.nodes[0]!.account]);
      // Every receipt is in the epoch, none is left over.
      const left = await receiptsOf(net.nodes[0]!.node);
      expect(left).toHaveLength(0);
      // The bundle is served and is JSON lines: header, 3 receipts, payers, leaves, report.
      const bundle = await (await fetch(`${url}/v1/epochs/1/bundle`)).text();
      const lines = bundle
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { type: string });
      expect(lines[0]!.type).toBe("header");
      expect(lines.filter((l) => l.type === "receipt")).toHaveLength(3);
      expect(lines.filter((l) => l.type === "payer")).toHaveLength(3);
      expect(lines.at(-1)!.type).toBe("report");
    });

    it("submits no empty epoch unless asked; an empty one asked for waits for the previous window", async () => {
      const nothing = await post("/v1/epochs/close");
      expect(nothing.status).toBe(409);
      expect((nothing.body.error as Json).code).toBe("NOTHING_TO_CLOSE");
      expect((nothing.body.error as Json).message).toMatch(
        /^no receipt is waiting for an epoch; epoch 1 is submitted, its challenge window ends \d{4}-\d\d-\d\dT/,
      );
      expect((nothing.body.error as Json).hint).toMatch(/"allowEmpty": true/);
      expect((await getPendingEpoch(net.sdkOf(0))).epoch).toBe(1n);
      const again = await post("/v1/epochs/close", { allowEmpty: true });
      expect(again.status).toBe(409);
      expect((again.body.error as Json).code).toBe("EPOCH_PENDING");
      expect((again.body.error as Json).message).toMatch(
        /challenge window until \d{4}-\d\d-\d\dT[\d:.]+Z \(\d+ more seconds?\)/,
      );
      const bad = await post("/v1/epochs/close", { allowEmpty: "yes" });
      expect((bad.body.error as Json).code).toBe("INVALID_BODY");
    });

    it("verifies epoch 1 from its bundle against the chain", async () => {
      const res = await post("/v1/epochs/1/verify");
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body).toMatchObject({ ok: true, receiptCount: 3, differences: [] });
      expect((await get("/v1/epochs/1")).body.verification).toMatchObject({ ok: true });
    });

    it("a public verification runs once per report: concurrent and later callers get the kept verdict", async () => {
      const counts = async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const of = (result: string) =>
          Number(
            text.match(
              new RegExp(`tributary_epoch_verifications_total\\{result="${result}"\\} (\\d+)`),
            )?.[1] ?? 0,
          );
        return { computed: of("computed"), cached: of("cached") };
      };
      const before = await counts();
      const answers = await Promise.all(Array.from({ length: 8 }, () => post("/v1/epochs/1/verify")));
      for (const a of answers) expect(a.body).toMatchObject({ ok: true, receiptCount: 3, differences: [] });
      const after = await counts();
      // The test above computed epoch 1's verdict: all eight are answered from it, none recomputes.
      expect(after.computed - before.computed).toBe(0);
      expect(after.cached - before.cached).toBe(8);
    });

    it("finalizes after the window; the contributor claims exactly its rewards over HTTP, once", async () => {
      const early = await post("/v1/epochs/1/finalize");
      expect(early.status).toBe(409);
      expect((early.body.error as Json).code).toBe("CHALLENGE_WINDOW_OPEN");
      // Before finalization the rewards are pending (not claimable), waiting on epoch 1's window.
      const waiting = (await get(`/v1/accounts/${net.contributor}/earnings`)).body;
      expect(waiting).toMatchObject({
        claimable: "0",
        finalized: "0",
        pendingEpoch: { epoch: 1, windowOver: false },
      });
      expect(BigInt(waiting.pending as string)).toBeGreaterThan(0n);
      expect(waiting.pending).toBe(waiting.submitted);
      await net.advance(61);
      // The window is over, the report not finalized yet: still pending, and said so.
      expect((await get(`/v1/accounts/${net.contributor}/earnings`)).body).toMatchObject({
        claimable: "0",
        pending: waiting.pending,
        pendingEpoch: { epoch: 1, windowOver: true },
      });
      const fin = await post("/v1/epochs/1/finalize");
      expect(fin.status, JSON.stringify(fin.body)).toBe(200);
      expect(fin.body.status).toBe("finalized");
      const sdk = net.sdkOf(0);
      expect((await getFinalizedEpoch(sdk)).epoch).toBe(1n);

      const earnings = (await get(`/v1/accounts/${net.contributor}/earnings`)).body;
      const claimable = BigInt(earnings.claimable as string);
      expect(claimable).toBeGreaterThan(0n);
      expect(earnings.finalized).toBe(earnings.claimable);
      expect(earnings).toMatchObject({ pending: "0", pendingEpoch: null, claimable: waiting.pending });
      expect((earnings.byDatanet as Json[])[0]).toMatchObject({ datanetId: String(net.datanetId) });
      expect((earnings.byModel as Json[])[0]).toMatchObject({ name: net.model });
      const proof = (await get(`/v1/accounts/${net.contributor}/proof`)).body;
      expect(proof).toMatchObject({ tree: "rewards", epoch: 1, cumulativeAmount: String(claimable) });

      const before = await getTokenBalance(sdk, { account: net.contributor });
      const owner = net.nodes[0]!.account;
      const claimed = await post("/v1/claims", { accounts: [net.contributor, owner, net.contributor] });
      expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
      const paid = claimed.body.paid as { account: Address; amount: string }[];
      expect(paid.find((p) => p.account === net.contributor)?.amount).toBe(String(claimable));
      expect(await getTokenBalance(sdk, { account: net.contributor })).toBe(before + claimable);
      expect(await getClaimed(sdk, { account: net.contributor })).toBe(claimable);
      const twice = await post("/v1/claims", { accounts: [net.contributor] });
      expect(twice.body).toMatchObject({ txHash: null, total: "0" });
      expect((twice.body.skipped as Json[])[0]).toMatchObject({ account: net.contributor });
      expect(BigInt((await get(`/v1/accounts/${net.contributor}/earnings`)).body.claimable as string)).toBe(
        0n,
      );
    });

    it("epoch 2 builds on epoch 1's totals and verifies with the previous bundle", async () => {
      const res = await net.chat(net.payers[0]!.key, "Tell me about the whale.", { temperature: 1, seed: 7 });
      expect(res.status).toBe(200);
      const unsettled = (await get(`/v1/accounts/${net.contributor}/earnings`)).body.unsettled as string;
      expect(BigInt(unsettled)).toBeGreaterThan(0n);
      const closed = await post("/v1/epochs/close");
      expect(closed.status, JSON.stringify(closed.body)).toBe(201);
      expect(closed.body).toMatchObject({ epoch: 2, receiptCount: 1, status: "submitted" });
      expect(BigInt(closed.body.cumulativeCharged as string)).toBe(await chargedInDb());
      const verified = await post("/v1/epochs/2/verify");
      expect(verified.body, JSON.stringify(verified.body)).toMatchObject({ ok: true, receiptCount: 1 });
      const list = (await get("/v1/epochs?limit=1")).body;
      expect((list.items as Json[]).map((e) => e.epoch)).toEqual([2]);
      expect(list.nextCursor).toBe("2");
      const rest = (await get(`/v1/epochs?limit=1&cursor=${list.nextCursor}`)).body;
      expect((rest.items as Json[]).map((e) => e.epoch)).toEqual([1]);
    });

    it("a payer that requests a withdrawal is refused service and withdraws exactly its unspent credit", async () => {
      const payer = net.payers[1]!;
      const sdk = net.sdkOf(0);
      await requestWithdrawal(payer.sdk);
      // The gateway learns of the request from its indexer (polling) within about a second.
      let refused = await net.chat(payer.key, "Tell me about the whale.");
      for (let i = 0; i < 50 && refused.status === 200; i++) {
        await new Promise((r) => setTimeout(r, 100));
        refused = await net.chat(payer.key, "Tell me about the whale.");
      }
      expect(refused.status).toBe(402);
      expect(((await refused.json()) as { error: Json }).error.tributary_code).toBe("WITHDRAWAL_PENDING");
      // A report submitted after the request must be finalized: finalize epoch 2, close epoch 3 (empty but for
      // the requests served before the gateway saw the withdrawal request: allowEmpty).
      await net.advance(121);
      expect((await post("/v1/epochs/2/finalize")).status).toBe(200);
      const closed = await post("/v1/epochs/close", { allowEmpty: true });
      expect(closed.body, JSON.stringify(closed.body)).toMatchObject({
        epoch: 3,
        status: "submitted",
      });
      await net.advance(61);
      expect((await post("/v1/epochs/3/finalize")).body.status).toBe("finalized");
      const view = (await get(`/v1/payers/${payer.address}`)).body;
      const charged = BigInt(view.charged as string);
      expect(charged).toBeGreaterThan(0n);
      const proof = (await get(`/v1/accounts/${payer.address}/proof?tree=charges`)).body;
      expect(BigInt(proof.cumulativeAmount as string)).toBe(charged);
      const before = await getTokenBalance(sdk, { account: payer.address });
      const deposited = await getDeposited(sdk, { payer: payer.address });
      await withdraw(payer.sdk, {
        cumulativeCharged: charged,
        proof: proof.proof as `0x${string}`[],
      });
      expect(await getTokenBalance(sdk, { account: payer.address })).toBe(before + deposited - charged);
      expect(await getWithdrawn(sdk, { payer: payer.address })).toBe(deposited - charged);
      // The payer that never used the gateway also has a leaf (0) and could withdraw everything.
      const idle = (await get(`/v1/accounts/${net.payers[2]!.address}/proof?tree=charges`)).body;
      expect(idle.cumulativeAmount).toBe("0");
    });

    it("an account claims from its own wallet through the SDK, with proofs from the node", async () => {
      const treasury = net.chain.roles.treasury;
      const sdk = net.sdkOf(1); // the treasury's own wallet pays the gas
      const node = createNodeClient({ baseUrl: url });
      const proof = await node.getProof(treasury);
      const owed = BigInt(proof.cumulativeAmount) - (await getClaimed(sdk, { account: treasury }));
      expect(owed).toBeGreaterThan(0n);
      const before = await getTokenBalance(sdk, { account: treasury });
      const result = await claimRewards(sdk, node, [treasury]);
      expect(result.total).toBe(owed);
      expect(await getTokenBalance(sdk, { account: treasury })).toBe(before + owed);
      expect((await claimRewards(sdk, node, [treasury])).total).toBe(0n);
      const earnings = await node.getEarnings(treasury);
      expect(earnings.claimable).toBe("0");
      expect(earnings.byRole.map((r) => r.role)).toContain("protocol");
    });

    it("answers bad input with a clear error and changes nothing", async () => {
      expect((await get("/v1/epochs/0")).body.error).toMatchObject({ code: "INVALID_EPOCH" });
      expect((await get("/v1/epochs/99")).body.error).toMatchObject({ code: "EPOCH_NOT_FOUND" });
      expect((await get("/v1/accounts/0x12/earnings")).body.error).toMatchObject({ code: "INVALID_ADDRESS" });
      expect((await get(`/v1/accounts/${net.contributor}/proof?tree=x`)).body.error).toMatchObject({
        code: "INVALID_TREE",
      });
      expect(
        (await get(`/v1/accounts/0x000000000000000000000000000000000000dEaD/proof`)).body.error,
      ).toMatchObject({
        code: "NO_LEAF",
      });
      // The charges tree's NO_LEAF speaks of deposits and withdrawals, not of rewards.
      const noCharges = (
        await get(`/v1/accounts/0x000000000000000000000000000000000000dEaD/proof?tree=charges`)
      ).body.error as Json;
      expect(noCharges).toMatchObject({ code: "NO_LEAF" });
      expect(noCharges.message).toMatch(/no leaf in the charges tree of epoch \d+: it had not deposited/);
      expect(noCharges.hint).toMatch(/charges leaf in the first epoch cut after its deposit/);
      expect(noCharges.hint).not.toMatch(/reward/i);
      const noRewards = (await get(`/v1/accounts/0x000000000000000000000000000000000000dEaD/proof`)).body
        .error as Json;
      expect(noRewards.message).toMatch(/rewards tree .*no receipt up to that epoch paid it/);
      expect(noRewards.hint).toMatch(/rewards/);
      expect((await post("/v1/claims", { accounts: [] })).body.error).toMatchObject({ code: "INVALID_BODY" });
      expect((await post("/v1/epochs/4/verify")).body.error).toMatchObject({ code: "EPOCH_NOT_ON_CHAIN" });
      expect((await post("/v1/epochs/1/cosign", { report: {}, nodeURL: url })).body.error).toMatchObject({
        code: "INVALID_BODY",
      });
      expect((await get("/v1/receipts/0x12")).body.error).toMatchObject({ code: "INVALID_RECEIPT_ID" });
      const receipts = (await get(`/v1/receipts?payer=${net.payers[0]!.address}&limit=2`)).body;
      expect((receipts.items as Json[]).length).toBe(2);
      const one = (await get(`/v1/receipts/${(receipts.items as Json[])[0]!.id}`)).body;
      expect(typeof one.input).toBe("string");
      expect(typeof one.output).toBe("string");
    });
  },
);
