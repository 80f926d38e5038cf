import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApiError } from "../api/ApiError.ts";
import type { OutboundLimits } from "../net/fetchLimited.ts";
import { callUpstream, streamUpstream } from "./upstream.ts";

const LIMITS: OutboundLimits = {
  headersTimeoutMs: 400,
  idleTimeoutMs: 400,
  totalTimeoutMs: 3_000,
  maxBytes: 256 * 1024,
};

const servers: Server[] = [];
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  const hits = { count: 0 };
  const server = createServer((req, res) => {
    hits.count++;
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, hits };
}
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const endless = (prefix: string, piece: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  res.write(prefix);
  const chunk = Buffer.from(piece.repeat(256));
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {}
    if (!res.destroyed) res.once("drain", pump);
  };
  pump();
};

async function apiError(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(ApiError);
  return e as ApiError;
}

const drain = async (it: AsyncIterable<string>) => {
  const out: string[] = [];
  for await (const d of it) out.push(d);
  return out;
};

describe("upstream calls under outbound limits", () => {
  it("still streams deltas", async () => {
    const { baseURL } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      for (const t of ["The ", "whale"]) {
        res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: t } }] })}\n\n`);
      }
      res.end("data: [DONE]\n\n");
    });
    const deltas = await drain(streamUpstream({ baseURL, model: "m" }, "chat", {}, undefined, LIMITS));
    expect(deltas).toEqual(["The ", "whale"]);
  });

  it("an upstream that never answers is a 504 within the limit", async () => {
    const { baseURL } = await serve(() => {});
    const started = Date.now();
    const e = await apiError(callUpstream({ baseURL, model: "m" }, "chat", {}, undefined, LIMITS));
    expect(e.status).toBe(504);
    expect(e.code).toBe("UPSTREAM_TIMEOUT");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("an answer that never ends is cut at the cap, streaming or not", async () => {
    const plain = await serve(endless('{"choices":[{"message":{"content":"', "a"));
    const e1 = await apiError(
      callUpstream({ baseURL: plain.baseURL, model: "m" }, "chat", {}, undefined, LIMITS),
    );
    expect(e1.code).toBe("UPSTREAM_TOO_LARGE");
    const sse = await serve(
      endless("", `data: ${JSON.stringify({ choices: [{ delta: { content: "a" } }] })}\n\n`),
    );
    const e2 = await apiError(
      drain(streamUpstream({ baseURL: sse.baseURL, model: "m" }, "chat", {}, undefined, LIMITS)),
    );
    expect(e2.code).toBe("UPSTREAM_TOO_LARGE");
  });

  it("does not follow an upstream's redirect", async () => {
    const target = await serve((_req, res) => res.end("{}"));
    const { baseURL } = await serve((_req, res) => {
      res.writeHead(307, { location: `${target.baseURL}/chat/completions` }).end();
    });
    const e = await apiError(callUpstream({ baseURL, model: "m" }, "chat", {}, undefined, LIMITS));
    expect(e.code).toBe("UPSTREAM_UNREACHABLE");
    expect(target.hits.count).toBe(0);
  });
});
