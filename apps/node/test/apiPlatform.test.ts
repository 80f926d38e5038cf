import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { createNodeClient, TributaryError } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createDatanetRoutes,
  createGatewayRoutes,
  createNode,
  createVersionRoutes,
  NODE_VERSION,
  type TributaryNode,
} from "../src/index.ts";

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is walked generically
type Json = Record<string, any>;

const OPERATOR_TOKEN = "op-7f3a9c-test-token";

/**
 * The node's API platform on a real node over loopback HTTP and a real anvil: the OpenAPI document covers
 * every mounted route, /docs renders it in a browser, operator routes need the token, health, readiness
 * and metrics report the chain and the indexer.
 */
describe("node API platform", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;

  beforeAll(async () => {
    chain = await setupTestChain();
    node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "api-")),
      http: { port: 0 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
      operatorToken: OPERATOR_TOKEN,
      routes: [
        (ctx) => createDatanetRoutes(ctx),
        (ctx) => createVersionRoutes(ctx),
        (ctx) => createGatewayRoutes(ctx),
      ],
    });
    ({ url } = await node.listen());
  });
  afterAll(async () => {
    await node?.stop();
    await chain?.stop();
  });

  it("serves a valid OpenAPI 3.1 document listing every mounted route", async () => {
    const res = await fetch(`${url}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Json;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: expect.any(String), version: NODE_VERSION });

    // Every route the app serves is documented, under its OpenAPI path and method.
    const mounted = node.app.routes.filter((r) => r.method !== "ALL");
    expect(mounted.length).toBeGreaterThan(20);
    for (const r of mounted) {
      const path = r.path.replace(/:(\w+)/g, "{$1}");
      expect(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.path}`).toBeDefined();
    }
    const operations = Object.entries(doc.paths as Json).flatMap(([path, item]) =>
      Object.entries(item as Json).map(([method, op]) => ({ path, method, op: op as Json })),
    );
    expect(operations).toHaveLength(new Set(mounted.map((r) => `${r.method} ${r.path}`)).size);

    // Structure: unique operation ids, declared path parameters, described responses, known tags.
    const tags = new Set((doc.tags as Json[]).map((t) => t.name));
    const ids = new Set<string>();
    for (const { path, method, op } of operations) {
      expect(["get", "post", "put", "patch", "delete"]).toContain(method);
      expect(ids.has(op.operationId)).toBe(false);
      ids.add(op.operationId);
      expect(op.summary.length).toBeGreaterThan(5);
      for (const t of op.tags) expect(tags.has(t)).toBe(true);
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op.parameters ?? []).filter((p: Json) => p.in === "path").map((p: Json) => p.name);
      expect(declared.sort()).toEqual(templated.sort());
      for (const p of op.parameters ?? []) expect(p.schema).toBeTypeOf("object");
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      for (const [status, r] of Object.entries(op.responses as Json)) {
        expect(status).toMatch(/^[1-5]\d\d$/);
        expect((r as Json).description.length).toBeGreaterThan(0);
      }
    }

    // Every $ref points at a component that exists.
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref") refs.push(x as string);
          else walk(x);
        }
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.slice("#/components/schemas/".length)], ref).toBeDefined();
    }

    // The operator routes carry the bearer security; the error shape is one shared schema.
    const operator = operations.filter((o) => o.op["x-operator"]).map((o) => `${o.method} ${o.path}`);
    expect(operator.sort()).toEqual(
      [
        "post /v1/datanets",
        "put /v1/datanets/{id}/settings",
        "post /v1/datanets/{id}/review",
        "post /v1/datanets/{id}/versions",
        "post /v1/models",
        "post /v1/keys",
        "get /v1/keys",
        "delete /v1/keys/{id}",
      ].sort(),
    );
    for (const o of operations.filter((x) => x.op["x-operator"])) {
      expect(o.op.security).toEqual([{ operatorToken: [] }]);
      // The gateway's routes (models, keys) answer errors in OpenAI's shape; the others in the API's.
      const schema = /^\/v1\/(models|keys)\b/.test(o.path) ? "OpenAiError" : "Error";
      expect(o.op.responses["401"].content["application/json"].schema).toEqual({
        $ref: `#/components/schemas/${schema}`,
      });
    }
    expect(doc.components.securitySchemes.operatorToken).toMatchObject({ type: "http", scheme: "bearer" });

    // Pagination: every list answers { items, nextCursor } and takes limit and cursor.
    const lists = operations.filter((o) => {
      const schema = o.op.responses["200"]?.content?.["application/json"]?.schema;
      return schema?.properties?.items && schema?.properties?.nextCursor;
    });
    expect(lists.map((o) => o.path).sort()).toEqual(
      [
        "/v1/datanets",
        "/v1/datanets/{id}/contributions",
        "/v1/datanets/{id}/curation",
        "/v1/datanets/{id}/versions",
        "/v1/keys",
      ].sort(),
    );
    for (const o of lists) {
      const names = (o.op.parameters as Json[]).filter((p) => p.in === "query").map((p) => p.name);
      expect(names).toEqual(expect.arrayContaining(["limit", "cursor"]));
    }
    // The gateway's documentation-only entries are there because the gateway is mounted.
    expect(doc.paths["/v1/chat/completions"].post.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/ChatCompletionRequest",
    });
  });

  it("serves /docs as one self-contained page that renders the routes in a browser", async () => {
    const res = await fetch(`${url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//); // no CDN, nothing external
    expect(html).toContain('<script type="application/json" id="openapi">');
    const chromium = "/usr/bin/chromium";
    if (!existsSync(chromium)) return;
    const { stdout } = await promisify(execFile)(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--virtual-time-budget=3000",
        "--dump-dom",
        `${url}/docs`,
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    // The script built the reference: a card per operation, tags, the operator badge, the schemas.
    expect(stdout).toContain('id="getV1DatanetsIdVersionsVersionExport"');
    expect(stdout).toContain('id="tag-curation"');
    expect(stdout).toContain('class="lock"');
    expect(stdout).toContain('id="schema-UploadView"');
    expect((stdout.match(/class="operation"/g) ?? []).length).toBeGreaterThan(40);
  }, 90_000);

  it("refuses operator routes without the operator token, and serves them with it", async () => {
    const anonymous = createNodeClient({ baseUrl: url });
    const wrong = createNodeClient({ baseUrl: url, operatorToken: "not-the-token" });
    const operator = createNodeClient({ baseUrl: url, operatorToken: OPERATOR_TOKEN });
    const body = { metadataURI: "ipfs://api-test", policy: { curated: true, minStake: 0n } };

    for (const client of [anonymous, wrong]) {
      const refused = await client.createDatanet(body).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TributaryError);
      expect((refused as TributaryError).code).toBe("OPERATOR_TOKEN_REQUIRED");
      expect((refused as TributaryError).hint).toContain("Authorization: Bearer");
    }
    for (const [method, path, json] of [
      ["POST", "/v1/datanets", body],
      ["PUT", "/v1/datanets/1/settings", { nearDuplicatePolicy: "refuse" }],
      ["POST", "/v1/datanets/1/review", { reviews: [{ contributionId: "1", verdict: "accept" }] }],
      ["POST", "/v1/datanets/1/versions", {}],
    ] as const) {
      for (const headers of [{}, { authorization: "Bearer wrong" }]) {
        const res = await fetch(`${url}${path}`, {
          method,
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(json, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
        });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(((await res.json()) as Json).error.code).toBe("OPERATOR_TOKEN_REQUIRED");
      }
    }

    // With the token: the datanet is created, its settings changed, and the other routes get past auth.
    const created = await operator.createDatanet(body);
    const datanetId = BigInt(created.datanetId);
    expect(created.owner).toBe(chain.accounts[0]!.address);
    expect(await operator.setDatanetSettings(datanetId, { nearDuplicatePolicy: "refuse" })).toEqual({
      nearDuplicatePolicy: "refuse",
      nearDuplicateThreshold: 0.8,
      relayEnabled: true,
    });
    await node.ctx.chain!.indexer.syncOnce();
    const empty = await operator.publishVersion(datanetId).catch((e: unknown) => e);
    expect((empty as TributaryError).code).toBe("EMPTY_VERSION");
    const notPending = await operator
      .review(datanetId, [{ contributionId: 1n, verdict: "accept" }])
      .catch((e) => e);
    expect((notPending as TributaryError).code).toBe("NOT_REVIEWABLE");
    // Reading needs no token.
    expect((await anonymous.getDatanet(datanetId)).settings.nearDuplicatePolicy).toBe("refuse");
    expect((await anonymous.listDatanets({ limit: 1 })).items).toHaveLength(1);
  });

  it("reports liveness, readiness (database, chain, indexer lag) and Prometheus metrics", async () => {
    const api = createNodeClient({ baseUrl: url });
    const health = await api.health();
    expect(health).toMatchObject({ ok: true, version: NODE_VERSION });
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);

    await chain.testClient.mine({ blocks: 100 });
    const behind = await fetch(`${url}/health/ready`);
    expect(behind.status).toBe(503); // more than 64 blocks behind
    const lagging = (await behind.json()) as Json;
    expect(lagging.checks.indexer.ok).toBe(false);
    expect(lagging.checks.indexer.lagBlocks).toBeGreaterThanOrEqual(100);
    expect(lagging.checks.indexer.error).toMatch(/blocks behind/);

    await node.ctx.chain!.indexer.syncOnce();
    const ready = await api.ready();
    expect(ready.ok).toBe(true);
    expect(ready.checks.database).toEqual({ ok: true });
    expect(ready.checks.chain).toMatchObject({ ok: true, chainId: chain.deployment.chainId });
    expect(ready.checks.indexer).toMatchObject({ ok: true, lagBlocks: 0, maxLagBlocks: 64 });
    expect(ready.checks.indexer!.indexedBlock).toBe(ready.checks.chain!.head);

    const metrics = await (await fetch(`${url}/metrics`)).text();
    const value = (series: string) => Number(new RegExp(`^${series} (\\S+)$`, "m").exec(metrics)?.[1]);
    expect(value("tributary_indexer_lag_blocks")).toBe(0);
    expect(value("tributary_chain_head_block")).toBe(ready.checks.chain!.head);
    expect(value("tributary_chain_rpc_up")).toBe(1);
    expect(value('tributary_http_requests_total\\{method="POST",route="/v1/datanets",status="401"\\}')).toBe(
      4,
    );
    expect(value('tributary_http_requests_total\\{method="POST",route="/v1/datanets",status="201"\\}')).toBe(
      1,
    );
    expect(value('tributary_http_requests_total\\{method="GET",route="/health/ready",status="503"\\}')).toBe(
      1,
    );
    expect(metrics).toContain(
      'tributary_http_request_duration_seconds_bucket{method="GET",route="/v1/datanets/:id",le="+Inf"}',
    );
  });

  it("answers 503 not ready when the chain RPC does not answer", async () => {
    const dead = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "api-dead-")),
      chain: {
        rpcUrl: "http://127.0.0.1:9/", // discard port: nothing listens
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
    });
    try {
      const res = await dead.app.request("/health/ready");
      expect(res.status).toBe(503);
      const body = (await res.json()) as Json;
      expect(body.ok).toBe(false);
      expect(body.checks.database.ok).toBe(true);
      expect(body.checks.chain).toMatchObject({ ok: false, error: expect.stringMatching(/chain RPC/) });
      expect(body.checks.indexer.ok).toBe(false);
      expect((await dead.app.request("/health")).status).toBe(200); // alive all the same
      const metrics = await (await dead.app.request("/metrics")).text();
      expect(metrics).toMatch(/^tributary_chain_rpc_up 0$/m);
    } finally {
      await dead.stop();
    }
  });
});
