import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildIndex, createTokenizer } from "@tributary/core";
import { afterEach, describe, expect, it } from "vitest";
import { createNode, NODE_VERSION, type TributaryNode } from "./createNode.ts";

const docs = [
  {
    contributionId: 1n,
    text: "Call me Ishmael. Some years ago, never mind how long precisely, I thought I would sail about.",
  },
  {
    contributionId: 2n,
    text: "The whale surfaced near the ship and the harpooneers stood ready in the boats at dawn.",
  },
];

describe("createNode", () => {
  let node: TributaryNode | undefined;
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });

  it("serves POST /v1/attribution over HTTP for a registered datanet version, and survives a restart", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "node-"));
    node = await createNode({ dataDir, http: { port: 0 } });
    await node.setVersionIndex(7n, 1, buildIndex({ tokenizer: createTokenizer(), documents: docs }));
    let { url } = await node.listen();
    const ask = async (body: unknown) =>
      await fetch(`${url}/v1/attribution`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    const res = await ask({
      datanetId: "7",
      version: 1,
      text: "He said: never mind how long precisely, I thought I would sail about.",
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      attribution: { contributions: { contributionId: string; ppm: number | string }[] };
    };
    // The quoted sentence is only in contribution 1, so it takes the whole million.
    expect(body.attribution.contributions.map((c) => [String(c.contributionId), Number(c.ppm)])).toEqual([
      ["1", 1_000_000],
    ]);
    const text1 = JSON.stringify(body);

    const unknown = await ask({ datanetId: "7", version: 2, text: "x" });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBeTypeOf("string");

    await node.stop();
    node = await createNode({ dataDir, http: { port: 0 } });
    ({ url } = await node.listen());
    const again = await ask({
      datanetId: "7",
      version: 1,
      text: "He said: never mind how long precisely, I thought I would sail about.",
    });
    expect(JSON.stringify(await again.json())).toBe(text1);
  });

  it("answers unknown routes and oversize bodies with the one JSON error shape", async () => {
    node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "node-")),
      // The attribution route declares its own limit (its longest text); the node's overrides lower it.
      http: { port: 0, maxBodyBytes: 1000, routeBodyLimits: { "POST /v1/attribution": 1000 } },
    });
    const { url } = await node.listen();
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    const big = await fetch(`${url}/v1/attribution`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ datanetId: "1", version: 1, text: "x".repeat(5000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error: { code: "BODY_TOO_LARGE" } });
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ ok: true, version: NODE_VERSION });
  });
});

describe("createNode with a chain", () => {
  it("indexes the deployment's events into its database", async () => {
    const { setupTestChain } = await import("@tributary/contracts/test/fixture");
    const { createDatanet } = await import("@tributary/sdk");
    const chain = await setupTestChain();
    const node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "node-")),
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
    });
    try {
      const { datanetId } = await createDatanet(node.ctx.chain!.sdk, {
        metadataURI: "ipfs://meta",
        policy: { curated: true, minStake: 0n, licenseId: `0x${"00".repeat(32)}`, refundStakeOnAccept: true },
      });
      while (await node.ctx.chain!.indexer.syncOnce()) {}
      const row = await node.db.selectFrom("datanets").selectAll().executeTakeFirstOrThrow();
      expect(BigInt(row.id)).toBe(datanetId);
      // /health names the payment token as its contract reports it, so clients can show amounts.
      expect(await (await node.app.request("/health")).json()).toMatchObject({
        chainId: chain.deployment.chainId,
        settlement: chain.deployment.contracts.settlement,
        token: { address: chain.deployment.contracts.token, symbol: "TRIB", decimals: 18 },
      });
      expect(row.owner).toBe(chain.roles.owner.toLowerCase());
    } finally {
      await node.stop();
      await chain.stop();
    }
  });
});
