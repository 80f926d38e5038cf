import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { createDatanet, createNodeClient, signUpload } from "@tributary/sdk";
import type { Address, LocalAccount } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatanetRoutes, createNode, type TributaryNode } from "../../src/index.ts";

type ErrorBody = { error: { code: string; message: string; hint: string } };

/**
 * Issue 11, item 7: relayed uploads spend the node's gas. Quotas per contributor and per datanet (documents and
 * reserved gas over a sliding window, kept in the database) and a per-datanet switch refuse the request before any
 * gas is spent and before anything is staged: 429 `RELAY_QUOTA_EXCEEDED` with Retry-After, 403 `RELAY_DISABLED`.
 */
describe("abuse: relayed uploads within quotas", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  const dataDir = mkdtempSync(join(tmpdir(), "relay-quota-"));
  // Small quotas so a test can reach them: 3 documents per contributor, 4 per datanet, per day.
  const relayQuota = { perContributor: { documents: 3 }, perDatanet: { documents: 4 } };

  async function start(): Promise<void> {
    node = await createNode({
      dataDir,
      http: { port: 0 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
      routes: [(ctx) => createDatanetRoutes(ctx, { upload: { relayQuota } })],
    });
    ({ url } = await node.listen());
  }

  beforeAll(async () => {
    chain = await setupTestChain();
    await start();
  });
  afterAll(async () => {
    await node?.stop();
    await chain?.stop();
  });

  const nodeBalance = () => chain.publicClient.getBalance({ address: chain.accounts[0]!.address });
  const stored = () => readdirSync(dataDir, { recursive: true }).length;
  const uploadRows = async () => (await node.db.selectFrom("uploads").select("id").execute()).length;

  async function newDatanet(): Promise<bigint> {
    const { datanetId } = await createDatanet(node.ctx.chain!.sdk, {
      metadataURI: "ipfs://quota",
      policy: { curated: true, minStake: 0n, licenseId: `0x${"00".repeat(32)}`, refundStakeOnAccept: true },
    });
    return datanetId;
  }

  async function stage(datanetId: bigint, contributor: Address, texts: string[], mode = "relayed") {
    const form = new FormData();
    form.set("contributor", contributor);
    form.set("mode", mode);
    for (const [i, t] of texts.entries()) form.append("files", new Blob([t]), `doc${i}.txt`);
    const res = await fetch(`${url}/v1/datanets/${datanetId}/uploads`, { method: "POST", body: form });
    return { res, body: (await res.json()) as ErrorBody & { id: string } };
  }

  async function submit(uploadId: string, account: LocalAccount) {
    const api = createNodeClient({ baseUrl: url });
    const view = await api.getUpload(uploadId);
    const signatures = await signUpload(view, account);
    const res = await fetch(`${url}/v1/uploads/${uploadId}/submit`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ signatures }),
    });
    return { res, body: (await res.json()) as ErrorBody & { status: string } };
  }

  async function expectHealthy() {
    const t0 = performance.now();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
  }

  const docs = (tag: string, n: number) =>
    Array.from({ length: n }, (_, i) => `Quota test ${tag} document ${i}.`);

  it("a contributor over its quota gets 429 with Retry-After, before any gas is spent or anything is written", async () => {
    const datanetId = await newDatanet();
    const alice = privateKeyToAccount(generatePrivateKey());
    const first = await stage(datanetId, alice.address, docs("a1", 2));
    const second = await stage(datanetId, alice.address, docs("a2", 2));
    expect([first.res.status, second.res.status]).toEqual([201, 201]);
    const done = await submit(first.body.id, alice);
    expect(done.res.status, JSON.stringify(done.body)).toBe(200);
    expect(done.body.status).toBe("completed");

    // Submitting the second upload would make 4 documents > 3: refused before signatures are kept or gas spent.
    const eth = await nodeBalance();
    const refused = await submit(second.body.id, alice);
    expect(refused.res.status).toBe(429);
    expect(refused.body.error.code).toBe("RELAY_QUOTA_EXCEEDED");
    expect(refused.body.error.message).toContain(`contributor ${alice.address.toLowerCase()}`);
    expect(refused.body.error.hint).toMatch(/own wallet.*direct/);
    const retryAfter = Number(refused.res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(86_000);
    expect(retryAfter).toBeLessThanOrEqual(86_400);
    expect(await nodeBalance()).toBe(eth);
    const batches = await node.db
      .selectFrom("upload_batches")
      .selectAll()
      .where("upload_id", "=", second.body.id)
      .execute();
    expect(batches).toEqual([]);
    const row = await node.db
      .selectFrom("uploads")
      .select("status")
      .where("id", "=", second.body.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("staged");

    // Staging more is refused up front too, and writes nothing (no row, no blob).
    const [rows, files] = [await uploadRows(), stored()];
    const more = await stage(datanetId, alice.address, docs("a3", 2));
    expect(more.res.status).toBe(429);
    expect(more.body.error.code).toBe("RELAY_QUOTA_EXCEEDED");
    expect(more.res.headers.get("retry-after")).not.toBeNull();
    expect(await uploadRows()).toBe(rows);
    expect(stored()).toBe(files);
    expect(await nodeBalance()).toBe(eth);
    await expectHealthy();
  });

  it("fresh keys do not escape the per-datanet quota", async () => {
    const datanetId = await newDatanet();
    const bob = privateKeyToAccount(generatePrivateKey());
    const ok = await stage(datanetId, bob.address, docs("b", 3));
    expect((await submit(ok.body.id, bob)).res.status).toBe(200);
    const eth = await nodeBalance();
    const carol = privateKeyToAccount(generatePrivateKey());
    const refused = await stage(datanetId, carol.address, docs("c", 2));
    expect(refused.res.status).toBe(429);
    expect(refused.body.error.message).toContain(`datanet ${datanetId}`);
    expect(await nodeBalance()).toBe(eth);
    await expectHealthy();
  });

  it("a datanet with relaying turned off gets 403 RELAY_DISABLED; direct uploads still work", async () => {
    const datanetId = await newDatanet();
    const dave = privateKeyToAccount(generatePrivateKey());
    const staged = await stage(datanetId, dave.address, docs("d0", 1));
    expect(staged.res.status).toBe(201);
    const off = await fetch(`${url}/v1/datanets/${datanetId}/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nearDuplicatePolicy: "flag", relayEnabled: false }),
    });
    expect(off.status).toBe(200);
    expect(((await off.json()) as { relayEnabled: boolean }).relayEnabled).toBe(false);

    const [rows, files, eth] = [await uploadRows(), stored(), await nodeBalance()];
    const refused = await stage(datanetId, dave.address, docs("d1", 1));
    expect(refused.res.status).toBe(403);
    expect(refused.body.error.code).toBe("RELAY_DISABLED");
    expect(refused.body.error.hint).toMatch(/own wallet.*direct/);
    expect(await uploadRows()).toBe(rows);
    expect(stored()).toBe(files);
    // An upload staged before relaying was turned off is not relayed either.
    const late = await submit(staged.body.id, dave);
    expect(late.res.status).toBe(403);
    expect(late.body.error.code).toBe("RELAY_DISABLED");
    expect(await nodeBalance()).toBe(eth);
    const direct = await stage(datanetId, dave.address, docs("d2", 1), "direct");
    expect(direct.res.status).toBe(201);
    await expectHealthy();
  });

  it("quotas survive a restart", async () => {
    const datanetId = await newDatanet();
    const erin = privateKeyToAccount(generatePrivateKey());
    const ok = await stage(datanetId, erin.address, docs("e0", 3));
    expect((await submit(ok.body.id, erin)).res.status).toBe(200);
    await node.stop();
    await start();
    const eth = await nodeBalance();
    const refused = await stage(datanetId, erin.address, docs("e1", 1));
    expect(refused.res.status).toBe(429);
    expect(refused.body.error.code).toBe("RELAY_QUOTA_EXCEEDED");
    expect(await nodeBalance()).toBe(eth);
    await expectHealthy();
  });
});
