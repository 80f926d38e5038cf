import { mkdtempSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEpochRoutes, createNode, type TributaryNode } from "../../src/index.ts";

/**
 * Connection-level abuse of a public node on loopback, against a real node on anvil: a client that sends its
 * headers or its body a byte at a time (slowloris) is cut off at the node's timeouts, connections beyond the
 * cap are refused, and one address hammering a costly public route is answered 429 while the node stays
 * healthy for everybody.
 */
describe("abuse: connections and per-client limits", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  let port: number;

  beforeAll(async () => {
    chain = await setupTestChain();
    node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "abuse-conn-")),
      http: {
        port: 0,
        headersTimeoutMs: 1_500,
        requestTimeoutMs: 2_500,
        maxConnections: 8,
        clientRateLimitPerMinute: 5,
        // The limit test speaks as clients behind a proxy (X-Forwarded-For), apart from the raw sockets above.
        trustProxyHops: 1,
      },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
      routes: [(ctx) => createEpochRoutes(ctx)],
    });
    ({ url } = await node.listen());
    port = Number(new URL(url).port);
  });
  afterAll(async () => {
    await node?.stop();
    await chain?.stop();
  });

  /** Opens a raw TCP connection and resolves when the node closes it (or after `maxMs`, still open). */
  function open(): { socket: Socket; closed: Promise<{ afterMs: number; data: string }> } {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (d) => {
      data += d.toString();
    });
    socket.on("error", () => {});
    const closed = new Promise<{ afterMs: number; data: string }>((resolve) =>
      socket.on("close", () => resolve({ afterMs: Date.now() - started, data })),
    );
    return { socket, closed };
  }

  /** The connection's close, or "still open" if the node has not closed it within `ms`. */
  function closedWithin<T>(closed: Promise<T>, ms: number): Promise<T | "still open"> {
    return Promise.race([closed, new Promise<"still open">((r) => setTimeout(() => r("still open"), ms))]);
  }

  async function healthyWithin(ms: number) {
    const t = performance.now();
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(ms) });
    expect(res.status).toBe(200);
    return performance.now() - t;
  }

  it("cuts off a client that trickles its headers (slowloris) at the headers timeout", async () => {
    const { socket, closed } = open();
    socket.write("GET /health HTTP/1.1\r\nHost: x\r\n");
    const drip = setInterval(() => socket.writable && socket.write("X-Drip: 1\r\n"), 300);
    const outcome = await closedWithin(closed, 6_000);
    clearInterval(drip);
    socket.destroy();
    expect(outcome).not.toBe("still open");
    if (outcome !== "still open") {
      expect(outcome.afterMs).toBeLessThan(4_000);
      expect(outcome.data).toMatch(/^HTTP\/1\.1 408/);
    }
    expect(await healthyWithin(1_000)).toBeLessThan(1_000);
  });

  it("cuts off a client that trickles its body at the request timeout", async () => {
    const { socket, closed } = open();
    socket.write(
      "POST /v1/claims HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n",
    );
    const drip = setInterval(() => socket.writable && socket.write(" "), 300);
    const outcome = await closedWithin(closed, 7_000);
    clearInterval(drip);
    socket.destroy();
    expect(outcome).not.toBe("still open");
    if (outcome !== "still open") expect(outcome.afterMs).toBeLessThan(5_000);
    expect(await healthyWithin(1_000)).toBeLessThan(1_000);
  });

  it("refuses connections beyond the cap and serves again once they close", async () => {
    const idle = Array.from({ length: 8 }, () => open());
    await Promise.all(
      idle.map(
        ({ socket }) =>
          new Promise<void>((r) => (socket.readyState === "open" ? r() : socket.once("connect", r))),
      ),
    );
    // Give the server's accept loop a moment to count them.
    await new Promise((r) => setTimeout(r, 100));
    const extra = open();
    const outcome = await closedWithin(extra.closed, 2_000);
    expect(outcome).not.toBe("still open");
    for (const { socket } of idle) socket.destroy();
    extra.socket.destroy();
    await Promise.all(idle.map((c) => c.closed));
    await new Promise((r) => setTimeout(r, 100));
    expect(await healthyWithin(1_000)).toBeLessThan(1_000);
  });

  it("answers 429 with Retry-After to one address that hammers a costly public route, and nothing else changes", async () => {
    const post = (client = "203.0.113.7") =>
      fetch(`${url}/v1/claims`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": client },
        body: JSON.stringify({ accounts: ["0x0000000000000000000000000000000000000001"] }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post()).status);
    expect(statuses.every((s) => s !== 429)).toBe(true);
    const limited = await post();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = (await limited.json()) as { error: { code: string; hint: string } };
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(body.error.hint).toMatch(/Retry after/);
    // Another client is not affected; reads are not limited; the node stays healthy.
    expect((await post("203.0.113.8")).status).not.toBe(429);
    expect((await fetch(`${url}/v1/epochs`)).status).toBe(200);
    expect(await healthyWithin(1_000)).toBeLessThan(1_000);
  });
});
