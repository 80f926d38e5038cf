import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createAgentRoutes,
  createDatanetRoutes,
  createEpochRoutes,
  createGatewayRoutes,
  createNode,
  createVersionRoutes,
  type TributaryNode,
} from "../../src/index.ts";

const KiB = 1024;
const MiB = 1024 * 1024;

/** The limit each body-carrying route must have; every other route takes the JSON default. */
const JSON_LIMIT = 64 * KiB;
const LIMITS: Record<string, number> = {
  "POST /v1/datanets/:id/uploads": 64 * MiB,
  "POST /v1/chat/completions": 1 * MiB,
  "POST /v1/completions": 1 * MiB,
  // 100,000 characters of text, each at most a 6-byte JSON escape, and the rest of the request.
  "POST /v1/attribution": 100_000 * 6 + 4096,
  // 1,000 signatures; 10,000 verdicts.
  "POST /v1/uploads/:id/submit": 256 * KiB,
  "POST /v1/datanets/:id/review": 1 * MiB,
};

type Answer = {
  status: number;
  body: { error?: { code: string; message: string; hint: string } };
  ms: number;
};

/**
 * Attack: large bodies on the node's unauthenticated JSON routes. Before the fix every route accepted the
 * node-wide 64 MiB (`tributary up`): a 60 MB nested array on POST /v1/claims took 13 s and 3.2 GB. Now each route
 * has its own limit (64 KiB for JSON, 1 MiB for the gateway's completions, 64 MiB only for the multipart upload),
 * enforced while the body is read, with or without a Content-Length, before any JSON parsing; and the JSON that
 * is parsed is bounded in depth and width.
 */
describe("abuse: request body limits", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    chain = await setupTestChain();
    dataDir = mkdtempSync(join(tmpdir(), "abuse-body-"));
    node = await createNode({
      dataDir,
      http: { port: 0 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
      operatorToken: "op-abuse-token",
      routes: [
        (ctx) => createDatanetRoutes(ctx),
        (ctx) => createVersionRoutes(ctx, { recoverOnStart: false }),
        (ctx) => createGatewayRoutes(ctx),
        (ctx) => createAgentRoutes(ctx),
        (ctx) => createEpochRoutes(ctx),
      ],
    });
    ({ url } = await node.listen());
  });
  afterAll(async () => {
    await node?.stop();
    await chain?.stop();
  });

  /** Row counts of every table, and the files of the content store. */
  async function written(): Promise<Record<string, number>> {
    const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
      node.db,
    );
    const out: Record<string, number> = {};
    for (const { name } of tables.rows) {
      const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(node.db);
      out[name] = Number(r.rows[0]!.n);
    }
    const content = join(dataDir, "content");
    out.blobs = existsSync(content) ? readdirSync(content, { recursive: true }).length : 0;
    return out;
  }

  /**
   * Sends `size` bytes of `[[[[…` (made as they are sent, never held whole) with a Content-Length, or chunked
   * without one; stops sending when the node answers. The answer, and how long it took.
   */
  function send(
    method: string,
    path: string,
    size: number,
    mode: "length" | "chunked",
    contentType = "application/json",
  ): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const t = performance.now();
      const headers: Record<string, string> = { "content-type": contentType };
      if (mode === "length") headers["content-length"] = String(size);
      // One connection per attack: the node closes a connection whose refused body is still arriving.
      const req = httpRequest(`${url}${path}`, { method, headers, agent: false });
      let answered = false;
      req.on("response", (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          req.destroy();
          resolve({
            status: res.statusCode ?? 0,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
            ms: performance.now() - t,
          });
        });
      });
      // The node may close the connection while the rest of a refused body is on its way.
      req.on("error", (e) => {
        if (!answered)
          reject(new Error(`${method} ${path} (${mode}, ${sent} of ${size} bytes sent): ${e.message}`));
      });
      const chunk = Buffer.alloc(64 * KiB, "[");
      let sent = 0;
      const pump = () => {
        while (!answered && sent < size) {
          const n = Math.min(chunk.length, size - sent);
          sent += n;
          if (!req.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
            req.once("drain", pump);
            return;
          }
        }
        if (!answered) req.end();
      };
      pump();
    });
  }

  const bodyRoutes = () =>
    node.app.routes
      .filter((r) => ["POST", "PUT", "PATCH"].includes(r.method))
      .map((r) => `${r.method} ${r.path}`)
      .filter((r, i, all) => all.indexOf(r) === i);
  const concrete = (path: string) => path.replace(/:\w+/g, "1");

  it("every POST/PUT route refuses a body one byte over its limit with 413 (BODY_TOO_LARGE; UPLOAD_TOO_LARGE for uploads), with and without Content-Length", async () => {
    const routes = bodyRoutes();
    expect(routes.length).toBeGreaterThan(12);
    const before = await written();
    const rss0 = process.memoryUsage().rss;
    for (const route of routes) {
      const [method, path] = route.split(" ") as [string, string];
      const limit = LIMITS[route] ?? JSON_LIMIT;
      const type = route.endsWith("/uploads") ? "multipart/form-data; boundary=x" : "application/json";
      for (const mode of ["length", "chunked"] as const) {
        const a = await send(method, concrete(path), limit + 1, mode, type);
        expect(a.status, `${route} (${mode})`).toBe(413);
        if (route.endsWith("/uploads")) {
          // The upload route streams its multipart body itself and stops at its limit.
          expect(a.body.error?.code, `${route} (${mode})`).toBe("UPLOAD_TOO_LARGE");
          expect(a.body.error?.message).toContain(`larger than ${limit} bytes`);
          expect(a.body.error?.hint).toMatch(/Split the files/);
        } else {
          // The gateway's routes answer in OpenAI's shape, our code in `tributary_code`.
          const error = a.body.error as { code?: string; tributary_code?: string } | undefined;
          expect(error?.tributary_code ?? error?.code, `${route} (${mode})`).toBe("BODY_TOO_LARGE");
          const named = LIMITS[route] ? route : `${method} ${concrete(path)}`;
          expect(a.body.error?.message).toContain(
            `${named} accepts request bodies of at most ${limit} bytes`,
          );
          expect(a.body.error?.hint).toMatch(/smaller body/);
        }
        expect(a.ms, `${route} (${mode})`).toBeLessThan(limit > 2 * MiB ? 10_000 : 1_000);
      }
    }
    expect(await written()).toEqual(before);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(256 * MiB);
  });

  it("a 60 MB nested array on unauthenticated POST /v1/claims is refused in well under a second, memory bounded", async () => {
    const before = await written();
    const rss0 = process.memoryUsage().rss;
    for (const mode of ["length", "chunked"] as const) {
      const a = await send("POST", "/v1/claims", 60 * 1000 * 1000, mode);
      expect(a.status).toBe(413);
      expect(a.body.error?.code).toBe("BODY_TOO_LARGE");
      expect(a.body.error?.message).toContain("65536 bytes (64 KiB)");
      expect(a.ms).toBeLessThan(1_000);
    }
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * MiB);
    expect(await written()).toEqual(before);
    const t = performance.now();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(performance.now() - t).toBeLessThan(200);
  });

  it("JSON within the size limit but nested deep or listed long is refused before parsing: 400 JSON_TOO_COMPLEX", async () => {
    const before = await written();
    const cases: [string, string][] = [
      // 560 KB of nesting on the attribution route (its limit is 604 KB); JSON.parse alone takes seconds on it.
      ["/v1/attribution", `${"[".repeat(280_000)}${"]".repeat(280_000)}`],
      ["/v1/claims", `{"accounts":${"[".repeat(30_000)}${"]".repeat(30_000)}}`],
      ["/v1/claims", `{"accounts":[${Array.from({ length: 20_000 }, () => "1").join(",")}]}`],
    ];
    for (const [path, body] of cases) {
      const t = performance.now();
      const res = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      const ms = performance.now() - t;
      const json = (await res.json()) as Answer["body"];
      expect(res.status, path).toBe(400);
      expect(json.error?.code).toBe("JSON_TOO_COMPLEX");
      expect(json.error?.hint).toMatch(/nesting|lists/);
      expect(ms).toBeLessThan(500);
    }
    expect(await written()).toEqual(before);
  });

  it("an upload just under the 64 MiB upload limit is still accepted", async () => {
    const contributor = "0x00000000000000000000000000000000000000c1";
    // A datanet to upload to, created through the API (a small JSON body, under 64 KiB).
    const created = await fetch(`${url}/v1/datanets`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer op-abuse-token" },
      body: JSON.stringify({
        metadataURI: "ipfs://abuse",
        policy: { curated: true, minStake: "0", license: "CC-BY-4.0" },
      }),
    });
    expect(created.status).toBe(201);
    const { datanetId } = (await created.json()) as { datanetId: string };
    const boundary = "tributary-abuse-boundary";
    const part = (headers: string, content: string) => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`;
    const head =
      part('Content-Disposition: form-data; name="contributor"', contributor) +
      part(
        'Content-Disposition: form-data; name="files"; filename="notes.txt"\r\nContent-Type: text/plain',
        "A small note, uploaded beside a large form field.",
      );
    const tail = `--${boundary}--\r\n`;
    const fieldHead = 'Content-Disposition: form-data; name="padding"';
    const overhead = Buffer.byteLength(part(fieldHead, "") + head + tail);
    const body = Buffer.from(head + part(fieldHead, "x".repeat(64 * MiB - 1024 - overhead)) + tail);
    expect(body.length).toBe(64 * MiB - 1024);
    const res = await fetch(`${url}/v1/datanets/${datanetId}/uploads`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const view = (await res.json()) as { documents: { sourceName: string }[] };
    expect(view.documents.map((d) => d.sourceName)).toEqual(["notes.txt"]);
  });
});
