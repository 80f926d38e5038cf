import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { canonicalReceiptBytes, receiptFromJson, receiptHash, signReceipt } from "@tributary/core";
import { type PaidNetwork, setupPaidNetwork } from "@tributary/node/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./runCli.ts";

const cli = runCli;

/**
 * A node that lies about its own verification: everything passes through to the real node, except
 * `POST /v1/epochs/:n/verify`, which always answers that the epoch verifies.
 */
function lyingFront(target: string): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const verify = /^\/v1\/epochs\/(\d+)\/verify$/.exec(req.url ?? "");
    if (req.method === "POST" && verify) {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          ok: true,
          epoch: Number(verify[1]),
          receiptCount: 1,
          differences: [],
          truncated: false,
        }),
      );
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const upstream = await fetch(`${target}${req.url}`, {
      method: req.method ?? "GET",
      headers: { "content-type": req.headers["content-type"] ?? "application/json" },
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "text/plain" });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${port}` });
    }),
  );
}

describe("tributary epoch verify recomputes the epoch on this machine, trusting no node", () => {
  let net: PaidNetwork;
  let front: Awaited<ReturnType<typeof lyingFront>>;
  const dir = mkdtempSync(join(tmpdir(), "tributary-verify-cli-"));
  const node = () => net.nodes[0]!;
  const post = async (path: string) => {
    const res = await fetch(`${node().url}${path}`, { method: "POST", body: "{}" });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    net = await setupPaidNetwork({ nodeCount: 1, quorum: 1 });
    front = await lyingFront(node().url);
    writeFileSync(join(dir, "deployment.json"), JSON.stringify(net.chain.deployment));
    writeFileSync(
      join(dir, "tributary.config.json"),
      JSON.stringify({ rpcUrl: net.chain.anvil.rpcUrl, nodeUrl: front.url, deployment: "deployment.json" }),
    );
  }, 180_000);

  afterAll(async () => {
    front?.server.close();
    await net?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("an honest epoch verifies locally: exit 0, the roots on chain printed, progress on stderr", async () => {
    expect((await net.chat(net.payers[0]!.key, "Tell me about the whale.", { temperature: 0 })).status).toBe(
      200,
    );
    const closed = await post("/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);

    const r = await cli(dir, ["epoch", "verify", "1"]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/epoch 1 verifies: 1 receipts recomputed here/);
    expect(r.stdout).toContain(`rewardsRoot   ${closed.body.rewardsRoot}`);
    expect(r.stderr).toMatch(/reading the chain from http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stderr).toMatch(/downloading bundle b[a-z2-7]{58}/);

    const json = await cli(dir, ["epoch", "verify", "1", "--json"]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, verifiedBy: "local", receiptCount: 1 });
    expect(json.stderr).toBe("");

    await net.advance(61);
    expect((await post("/v1/epochs/1/finalize")).body.status).toBe("finalized");
  });

  it("a node whose report pays a tampered receipt, and that says it verifies, is caught: exit 1, the receipt and field named", async () => {
    const served: string[] = [];
    for (const prompt of ["Tell me about the whale.", "Call me Ishmael."]) {
      const res = await net.chat(net.payers[1]!.key, prompt, { temperature: 0 });
      expect(res.status).toBe(200);
      served.push(res.headers.get("x-tributary-receipt")!);
    }
    // The node re-signs a receipt paying its owner 1 unit more, out of a contributor's share.
    const db = node().node.db;
    const row = await db
      .selectFrom("receipts")
      .selectAll()
      .where("id", "=", served[0]!)
      .executeTakeFirstOrThrow();
    const honest = receiptFromJson(row.receipt_json);
    const parts = honest.parts.map((p) => ({ ...p }));
    parts.find((p) => p.role === "owner")!.amount += 1n;
    parts.find((p) => p.role === "contributor" && p.amount > 0n)!.amount -= 1n;
    const forged = { ...honest, parts };
    await db
      .updateTable("receipts")
      .set({
        receipt_json: new TextDecoder().decode(canonicalReceiptBytes(forged)),
        hash: receiptHash(forged),
        signature: await signReceipt(node().node.ctx.chain!.walletClient.account as never, forged),
      })
      .where("id", "=", row.id)
      .execute();
    const closed = await post("/v1/epochs/close");
    expect(closed.status, JSON.stringify(closed.body)).toBe(201);
    expect(closed.body).toMatchObject({ epoch: 2, status: "submitted", receiptCount: 2 });

    // Asked, the node vouches for its report.
    const asked = await cli(dir, ["epoch", "verify", "2", "--ask-node"]);
    expect(asked.code, asked.stderr).toBe(0);
    expect(asked.stdout).toMatch(/the node says epoch 2 verifies/);

    // Recomputed here, the report is wrong, and the output says where.
    const r = await cli(dir, ["epoch", "verify", "2"]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/epoch 2 does not verify: \d+ difference\(s\)/);
    expect(r.stdout).toMatch(new RegExp(`receipt ${row.id} parts\\[(owner|contributor:\\d+)\\]\\.amount`));
    const json = JSON.parse((await cli(dir, ["epoch", "verify", "2", "--json"])).stdout) as {
      ok: boolean;
      differences: { receiptId?: string; field: string }[];
    };
    expect(json.ok).toBe(false);
    expect(json.differences.some((d) => d.receiptId === row.id && /amount/.test(d.field))).toBe(true);
  });

  it("an epoch that is not on chain is a clear error", async () => {
    const r = await cli(dir, ["epoch", "verify", "9"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Settlement has no report for epoch 9/);
    expect(r.stderr).toMatch(/hint: .*tributary epoch list/);
  });
});
