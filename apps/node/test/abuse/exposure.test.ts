import { lstatSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode } from "../../src/createNode.ts";
import { type PaidNetwork, setupPaidNetwork } from "../../src/epochs/testing/paidNetwork.ts";

type Json = Record<string, unknown>;

// What an operator puts in an upstream's URL and key; none of it may ever be served or stored in plaintext.
const USER = "alice-upstream";
const PASSWORD = "pw-s3cret-in-url";
const QUERY_TOKEN = "qtok-s3cret-in-query";
const API_KEY = "sk-upstream-s3cret-apikey";
const SECRETS = [USER, PASSWORD, QUERY_TOKEN, API_KEY];
// What a failing upstream answers: internal details a payer must not see.
const UPSTREAM_LEAK = "db at 10.9.8.7 refused: password=hunter2";

/** Every file and folder under `dir` (the folder too). */
function walk(dir: string): string[] {
  const out = [dir];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain one of `needles`. */
function filesContaining(dir: string, needles: readonly string[]): string[] {
  return walk(dir)
    .filter((p) => lstatSync(p).isFile())
    .filter((p) => {
      const bytes = readFileSync(p);
      return needles.some((n) => bytes.includes(Buffer.from(n, "utf8")));
    });
}

describe("abuse: upstream credentials, upstream error echo, secrets at rest, file modes (anvil, node over HTTP)", () => {
  let net: PaidNetwork;
  let url: string;
  let upstream: Server;
  let upstreamUrl = "";
  const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const register = (name: string, baseURL: string, apiKey?: string) =>
    fetch(`${url}/v1/models`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name,
        kind: "external",
        upstream: { baseURL, model: "m", ...(apiKey ? { apiKey } : {}) },
        trainedOn: [{ datanetId: net.datanetId.toString(), version: 1 }],
        pricing: { perCall: "1", per1kOutputTokens: "1" },
        split: { ownerBps: 4000, dataBps: 6000 },
      }),
    });

  beforeAll(async () => {
    // A real OpenAI-compatible upstream on loopback that fails with internal details in its body.
    upstream = createServer((req, res) => {
      req.resume();
      // /midstream and /cut: a streaming answer that fails after two deltas, with an error event that leaks
      // internal details, or with the connection cut.
      if (req.url?.startsWith("/midstream") || req.url?.startsWith("/cut")) {
        res.writeHead(200, { "content-type": "text/event-stream" });
        const chunk = (content: string) => ({ choices: [{ index: 0, delta: { content } }] });
        res.write(`data: ${JSON.stringify(chunk("The whale "))}\n\n`);
        res.write(`data: ${JSON.stringify(chunk("rose"))}\n\n`);
        setTimeout(() => {
          if (req.url?.startsWith("/cut")) res.destroy();
          else res.end(`data: ${JSON.stringify({ error: { message: UPSTREAM_LEAK } })}\n\n`);
        }, 50);
        return;
      }
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "db_down", message: UPSTREAM_LEAK } }));
    });
    await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", () => r()));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`;
    net = await setupPaidNetwork();
    url = net.nodes[0]!.url;
    const ctx = net.nodes[0]!.node.ctx;
    const original = ctx.log;
    ctx.log = (level, message, fields) => {
      logged.push({ level, message, ...(fields ? { fields } : {}) });
      original(level, message, fields);
    };
  }, 180_000);
  afterAll(async () => {
    await net?.stop();
    await new Promise((r) => upstream?.close(r));
  });

  it("never serves an upstream's credentials: POST /v1/models, GET /v1/models, /openapi.json show scheme+host+path", async () => {
    const res = await register(
      "leaky-upstream",
      `https://${USER}:${PASSWORD}@llm.internal.example:8443/v1?api_key=${QUERY_TOKEN}`,
      API_KEY,
    );
    const created = await res.text();
    expect(res.status, created).toBe(201);
    for (const s of SECRETS) expect(created).not.toContain(s);
    const list = await (await fetch(`${url}/v1/models`)).text();
    for (const s of SECRETS) expect(list).not.toContain(s);
    const model = ((JSON.parse(list) as { data: Json[] }).data as { id: string; tributary: Json }[]).find(
      (m) => m.id === "leaky-upstream",
    )!;
    expect(model.tributary.upstream).toEqual({ baseURL: "https://llm.internal.example:8443/v1", model: "m" });
    const openapi = await (await fetch(`${url}/openapi.json`)).text();
    for (const s of SECRETS) expect(openapi).not.toContain(s);
    // The node still serves the model with its key (the secret is sealed, not lost).
    const stored = (await net.gateway.getModel("leaky-upstream")).upstream!;
    expect(stored.apiKey).toBe(API_KEY);
    expect(stored.baseURL).toContain(PASSWORD);
  });

  it("stores no secret in plaintext: no byte of the db, its WAL or any data file holds the key or the URL's credentials", async () => {
    const dataDir = net.nodes[0]!.node.ctx.dataDir;
    expect(filesContaining(dataDir, SECRETS)).toEqual([]);
    const row = await net.nodes[0]!.node.db.selectFrom("models")
      .select("upstream")
      .where("name", "=", "leaky-upstream")
      .executeTakeFirstOrThrow();
    expect(row.upstream).toMatch(/^sealed:v1:/);
  });

  it("a failing upstream is answered with our message (status class, request id, hint); its body is only logged", async () => {
    expect((await register("failing-upstream", upstreamUrl)).status).toBe(201);
    const receipts = async () =>
      (await net.nodes[0]!.node.db.selectFrom("receipts").select("id").execute()).length;
    const before = await receipts();
    for (const stream of [false, true]) {
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${net.payers[0]!.key}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "failing-upstream",
          messages: [{ role: "user", content: "hi" }],
          stream,
        }),
      });
      const text = await res.text();
      expect(res.status, text).toBe(502);
      const requestId = res.headers.get("x-request-id")!;
      const error = (
        JSON.parse(text) as { error: { code: string; tributary_code: string; message: string; hint: string } }
      ).error;
      expect(error.code).toBe("upstream_error");
      expect(error.tributary_code).toBe("UPSTREAM_ERROR");
      expect(error.message).toContain("5xx");
      expect(error.message).toContain(requestId);
      expect(error.hint).toMatch(/request id/);
      for (const leak of ["hunter2", "10.9.8.7", "db_down", "127.0.0.1", upstreamUrl])
        expect(text).not.toContain(leak);
      // The detail is in the node's log, under the request id.
      const line = logged.find((l) => l.fields?.requestId === requestId && l.message.includes("upstream"));
      expect(line?.fields?.detail).toContain("hunter2");
    }
    expect(await receipts()).toBe(before);
    const started = performance.now();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("an upstream failing mid-stream: the client gets what was sent, the charge for exactly that, once, and no leak", async () => {
    const base = upstreamUrl.replace(/\/v1$/, "");
    for (const [name, path] of [
      ["midstream-upstream", "/midstream/v1"],
      ["cut-upstream", "/cut/v1"],
    ] as const) {
      expect((await register(name, `${base}${path}`)).status).toBe(201);
      const payer = net.payers[0]!;
      const charged = async () =>
        BigInt(
          (
            (await net.nodes[0]!.node.db.selectFrom("payer_charges")
              .select("charged")
              .where("payer", "=", payer.address.toLowerCase())
              .executeTakeFirst()) ?? { charged: "0" }
          ).charged,
        );
      const before = await charged();
      const res = await fetch(`${url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${payer.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: name, messages: [{ role: "user", content: "hi" }], stream: true }),
      });
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const leak of ["hunter2", "10.9.8.7", "127.0.0.1", base]) expect(text, name).not.toContain(leak);
      const events = text
        .split("\n\n")
        .map((e) => e.replace(/^data: /, ""))
        .filter((e) => e.startsWith("{"))
        .map((e) => JSON.parse(e) as Json);
      const deltas = events
        .map((e) => (e.choices as { delta?: { content?: string } }[] | undefined)?.[0]?.delta?.content)
        .filter((c): c is string => !!c);
      expect(deltas.join(""), name).toBe("The whale rose");
      expect(text.trim().endsWith("data: [DONE]"), name).toBe(true);
      const last = events.at(-1)!;
      // The failure is named in OpenAI's shape, with our message only.
      const error = last.error as { code: string; tributary_code: string; message: string; type: string };
      expect(error, name).toMatchObject({ tributary_code: expect.stringMatching(/^UPSTREAM_/) });
      expect(error.type, name).toBeTruthy();
      // The receipt is for exactly what was sent, stored, and charged once.
      const receipt = (last.tributary as { receipt: { id: string; charged: string; outputTokens: number } })
        .receipt;
      const row = await net.nodes[0]!.node.db.selectFrom("receipts")
        .select(["output", "charged"])
        .where("id", "=", receipt.id.toLowerCase())
        .executeTakeFirstOrThrow();
      expect(row.output, name).toBe("The whale rose");
      expect(row.charged).toBe(receipt.charged);
      expect((await charged()) - before, name).toBe(BigInt(receipt.charged));
    }
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it("keeps the data directory private: 0700 folders and 0600 (or 0400) files, the secrets key included", () => {
    const dataDir = net.nodes[0]!.node.ctx.dataDir;
    const open = walk(dataDir).filter((p) => (lstatSync(p).mode & 0o077) !== 0);
    expect(open).toEqual([]);
    expect(lstatSync(join(dataDir, "secrets.key")).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(dataDir, "node.db")).mode & 0o777).toBe(0o600);
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
  });

  it("seals plaintext upstream rows of an older database on start (migration), leaving no plaintext bytes", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "abuse-migrate-"));
    const first = await createNode({ dataDir, http: { port: 0 } });
    await first.stop();
    // The database as a node before sealing left it: a plaintext upstream row, migration 014 not applied.
    const sqlite = new SQLite(join(dataDir, "node.db"));
    sqlite
      .prepare(
        "insert into models (model_id, name, kind, datanet_id, version, index_id, per_call, per_1k_output_tokens, owner_bps, data_bps, owner, created_at, upstream, trained_on) values (1, 'old', 'external', 1, 1, '', '1', '1', 4000, 6000, '0x0000000000000000000000000000000000000001', '2026-01-01T00:00:00.000Z', ?, '[]')",
      )
      .run(
        JSON.stringify({ baseURL: `https://${USER}:${PASSWORD}@h.example/v1`, model: "m", apiKey: API_KEY }),
      );
    sqlite.prepare("delete from kysely_migration where name = '014_sealed_secrets'").run();
    sqlite.close();
    expect(filesContaining(dataDir, [API_KEY]).length).toBeGreaterThan(0);

    const second = await createNode({ dataDir, http: { port: 0 } });
    try {
      const row = await second.db.selectFrom("models").select("upstream").executeTakeFirstOrThrow();
      expect(row.upstream).toMatch(/^sealed:v1:/);
      expect(JSON.parse(second.ctx.secrets!.open(row.upstream!, "models.upstream")).apiKey).toBe(API_KEY);
      expect(filesContaining(dataDir, SECRETS)).toEqual([]);
    } finally {
      await second.stop();
    }
    expect(filesContaining(dataDir, SECRETS)).toEqual([]);
  });
});
