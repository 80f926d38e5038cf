import { describe, expect, it } from "vitest";
import { createApp } from "./createApp.ts";
import { createJsonLogger } from "./logger.ts";

function sink() {
  const lines: string[] = [];
  return { lines, stream: { write: (line: string) => lines.push(line) } };
}

describe("createJsonLogger", () => {
  it("writes one JSON object per line with time, level, msg and the fields, dropping lower levels", () => {
    const out = sink();
    const log = createJsonLogger({
      level: "info",
      stream: out.stream,
      base: { service: "node" },
      now: () => new Date("2026-11-26T09:00:00.000Z"),
    });
    log("debug", "hidden");
    log("info", "indexer: synced", { toBlock: 120, amount: 10n ** 30n });
    const circular: Record<string, unknown> = { a: 1 };
    circular.self = circular;
    log("error", "boom", { error: Object.assign(new Error("bad"), { code: "E_BAD" }), circular });
    expect(out.lines).toHaveLength(2);
    for (const line of out.lines) {
      expect(line.endsWith("\n")).toBe(true);
      expect(line.slice(0, -1)).not.toContain("\n");
    }
    expect(JSON.parse(out.lines[0]!)).toEqual({
      time: "2026-11-26T09:00:00.000Z",
      level: "info",
      msg: "indexer: synced",
      service: "node",
      toBlock: 120,
      amount: "1000000000000000000000000000000",
    });
    const err = JSON.parse(out.lines[1]!);
    expect(err).toMatchObject({
      level: "error",
      msg: "boom",
      error: { name: "Error", message: "bad", code: "E_BAD" },
    });
    expect(err.error.stack).toContain("bad");
    expect(err.circular).toEqual({ a: 1, self: "[Circular]" });
  });

  it("defaults to info", () => {
    const out = sink();
    const log = createJsonLogger({ stream: out.stream });
    log("debug", "no");
    log("warn", "yes");
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(["yes"]);
  });
});

describe("request log", () => {
  it("logs method, path, route, status, duration and request id, and echoes or generates X-Request-Id", async () => {
    const out = sink();
    const app = createApp({ log: createJsonLogger({ level: "debug", stream: out.stream }) });
    const given = await app.request("/health", { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await app.request("/nope", { headers: { "x-request-id": "bad id with spaces" } });
    const madeId = made.headers.get("x-request-id");
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
    const lines = out.lines.map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({
      level: "debug", // health probes log at debug
      msg: "http request",
      method: "GET",
      path: "/health",
      route: "/health",
      status: 200,
      requestId: "abc-123",
    });
    expect(lines[0].durationMs).toBeGreaterThanOrEqual(0);
    expect(lines[1]).toMatchObject({
      level: "info",
      path: "/nope",
      route: "unmatched",
      status: 404,
      requestId: madeId,
    });
  });

  it("logs unhandled errors with the request id, and answers 500 in the one error shape", async () => {
    const out = sink();
    const { Hono } = await import("hono");
    const broken = new Hono().get("/v1/broken", () => {
      throw new Error("kaput");
    });
    const app = createApp({ routes: [broken], log: createJsonLogger({ stream: out.stream }) });
    const res = await app.request("/v1/broken", { headers: { "x-request-id": "r1" } });
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ error: { code: "INTERNAL" } });
    const lines = out.lines.map((l) => JSON.parse(l));
    expect(lines.find((l) => l.msg === "http: unhandled error")).toMatchObject({
      level: "error",
      requestId: "r1",
      error: { message: "kaput" },
    });
    expect(lines.find((l) => l.msg === "http request")).toMatchObject({
      level: "error",
      status: 500,
      requestId: "r1",
    });
  });
});
