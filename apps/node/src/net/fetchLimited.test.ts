import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { fetchLimited, OutboundFetchError, type OutboundLimits } from "./fetchLimited.ts";

const LIMITS: OutboundLimits = {
  headersTimeoutMs: 1_000,
  idleTimeoutMs: 1_000,
  totalTimeoutMs: 2_000,
  maxBytes: 64 * 1024,
};

const servers: Server[] = [];
/** A loopback server that counts the requests it gets. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const hits = { count: 0 };
  const server = createServer((req, res) => {
    hits.count++;
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function failure(p: Promise<unknown>): Promise<OutboundFetchError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OutboundFetchError);
  return error as OutboundFetchError;
}

describe("fetchLimited", () => {
  it("reads a small answer", async () => {
    const { url } = await serve((_req, res) => res.end(JSON.stringify({ a: 1 })));
    const res = await fetchLimited(`${url}/x`, { limits: LIMITS });
    expect(res.ok).toBe(true);
    expect(await res.json()).toEqual({ a: 1 });
  });

  it("refuses every scheme but http: and https:, without a request", async () => {
    let calls = 0;
    const counting = (async () => {
      calls++;
      return new Response("x");
    }) as typeof fetch;
    for (const url of ["data:text/plain,hello", "file:///etc/passwd", "blob:x", "ftp://127.0.0.1/", "nope"]) {
      const e = await failure(fetchLimited(url, { limits: LIMITS, fetch: counting }));
      expect(e.code).toBe("URL_NOT_ALLOWED");
    }
    expect(calls).toBe(0);
  });

  it("gives up on a server that never answers, within the headers time", async () => {
    const { url } = await serve(() => {});
    const started = Date.now();
    const e = await failure(fetchLimited(`${url}/slow`, { limits: LIMITS }));
    expect(e.code).toBe("TIMEOUT");
    expect(e.message).toContain(`${url}/slow`);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("gives up on a body that stops flowing", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      res.write("a");
    });
    const res = await fetchLimited(url, { limits: LIMITS });
    const started = Date.now();
    expect((await failure(res.text())).code).toBe("TIMEOUT");
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it("stops a body that streams forever at the cap, while it streams", async () => {
    let sent = 0;
    const { url } = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 97);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    const res = await fetchLimited(url, { limits: { ...LIMITS, totalTimeoutMs: 10_000 } });
    const e = await failure(res.bytes());
    expect(e.code).toBe("TOO_LARGE");
    await new Promise((r) => setTimeout(r, 100));
    // The connection is closed: the server could not send much past the cap (socket buffers only).
    expect(sent).toBeLessThan(LIMITS.maxBytes + 8 * 1024 * 1024);
  });

  it("refuses an answer that announces more than the cap without reading it", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-length": String(LIMITS.maxBytes + 1) });
      res.write("x");
    });
    expect((await failure(fetchLimited(url, { limits: LIMITS }))).code).toBe("TOO_LARGE");
  });

  it("does not follow redirects", async () => {
    const target = await serve((_req, res) => res.end("internal"));
    const { url } = await serve((_req, res) => {
      res.writeHead(302, { location: `${target.url}/secret` });
      res.end();
    });
    const e = await failure(fetchLimited(url, { limits: LIMITS }));
    expect(e.code).toBe("REDIRECT_REFUSED");
    expect(target.hits.count).toBe(0);
  });

  it("never echoes what the server answered", async () => {
    const { url } = await serve((_req, res) => res.end("root:x:0:0:secret"));
    const e = await failure((await fetchLimited(url, { limits: LIMITS })).json());
    expect(e.code).toBe("NOT_JSON");
    expect(e.message).not.toContain("secret");
  });

  it("names an unreachable URL without a stack of undici internals; drops the query", async () => {
    const { url } = await serve(() => {});
    for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
    const e = await failure(fetchLimited(`${url}/a?token=hunter2`, { limits: LIMITS }));
    expect(e.code).toBe("UNREACHABLE");
    expect(e.message).toBe(`${url}/a: could not be reached (ECONNREFUSED)`);
  });
});
