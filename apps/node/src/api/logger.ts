import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../context/NodeContext.ts";

/** Log levels, least severe first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of {@link createJsonLogger}. */
export type CreateJsonLoggerOptions = {
  /** Lines below this level are dropped (default `info`). */
  level?: LogLevel;
  /** Where lines go (default `process.stderr`). */
  stream?: { write(line: string): unknown };
  /** Fields added to every line (e.g. `{ service: "node" }`). */
  base?: Record<string, unknown>;
  /** Clock (tests). */
  now?: () => Date;
};

function plain(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) {
    return {
      name: value.name,
      message: value.message,
      ...("code" in value ? { code: (value as { code: unknown }).code } : {}),
      ...(value.stack ? { stack: value.stack } : {}),
    };
  }
  if (value && typeof value === "object") {
    if (seen.has(value)) return "[Circular]";
    seen.add(value);
  }
  return value;
}

/**
 * A {@link Logger} that writes one JSON object per line: `{"time","level","msg",...fields}` (bigints as
 * decimal strings, errors as `{ name, message, code, stack }`), for log shippers and `jq`.
 *
 * @example
 * const log = createJsonLogger({ level: "info" });
 * log("info", "indexer: synced", { toBlock: 120 });
 * // {"time":"2026-11-26T09:00:00.000Z","level":"info","msg":"indexer: synced","toBlock":120}
 */
export function createJsonLogger(options: CreateJsonLoggerOptions = {}): Logger {
  const min = rank[options.level ?? "info"];
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => new Date());
  return (level, message, fields) => {
    if (rank[level] < min) return;
    const record = { time: now().toISOString(), level, msg: message, ...options.base, ...fields };
    const seen = new WeakSet<object>();
    let line: string;
    try {
      line = JSON.stringify(record, (key, v) => (key === "" ? v : plain(v, seen)));
    } catch (e) {
      line = JSON.stringify({ time: record.time, level, msg: message, logError: String(e) });
    }
    stream.write(`${line}\n`);
  };
}

/** Name of the request id in the Hono context (`c.get("requestId")`). */
export const REQUEST_ID = "requestId";

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What {@link requestObserver} reports for each request. */
export type ObservedRequest = {
  method: string;
  path: string;
  /** The matched route pattern (`/v1/datanets/:id`), or `unmatched`. */
  route: string;
  status: number;
  durationSeconds: number;
  requestId: string;
  /** For a 4xx/5xx answered with the API's error shape: its `code` and `message`. */
  error?: { code: string; message: string };
};

/** Largest error body the observer reads to report its code and message. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

/** The `{ error: { code, message } }` of an error response (JSON, small), or undefined. */
async function errorOf(res: Response): Promise<ObservedRequest["error"]> {
  if (!(res.headers.get("content-type") ?? "").includes("json")) return undefined;
  const length = Number(res.headers.get("content-length") ?? "0");
  if (length > MAX_ERROR_BODY_BYTES) return undefined;
  try {
    const text = await res.clone().text();
    if (text.length > MAX_ERROR_BODY_BYTES) return undefined;
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = body.error?.code;
    const message = body.error?.message;
    return typeof code === "string" && typeof message === "string" ? { code, message } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Middleware that gives every request an id (the client's `X-Request-Id` when it is 1..128 of
 * `[A-Za-z0-9._:-]`, else a new UUID), echoes it in the `X-Request-Id` response header, and reports
 * method, path, route pattern, status and duration once the response is ready; for a 4xx/5xx, the error's
 * code and message too (read from a copy of the small JSON error body).
 *
 * @example
 * app.use("*", requestObserver((r) => log("info", "request", r)));
 */
export function requestObserver(report: (request: ObservedRequest) => void): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header("x-request-id");
    const requestId = given && VALID_REQUEST_ID.test(given) ? given : randomUUID();
    c.set(REQUEST_ID as never, requestId as never);
    await next();
    c.header("x-request-id", requestId);
    const pattern = routePath(c, -1);
    const error = c.res.status >= 400 ? await errorOf(c.res) : undefined;
    report({
      method: c.req.method,
      path: c.req.path,
      route: !pattern || pattern === "*" || pattern === "/*" ? "unmatched" : pattern,
      status: c.res.status,
      durationSeconds: (performance.now() - started) / 1000,
      requestId,
      ...(error ? { error } : {}),
    });
  };
}

/**
 * The request log line: `info` (`error` for 5xx; `debug` for health and metrics probes) `http request`
 * with method, path, route, status, durationMs and requestId, plus `errorCode` and `errorMessage` for a
 * failed request.
 *
 * @example
 * app.use("*", requestObserver(logRequest(log)));
 */
export function logRequest(log: Logger): (request: ObservedRequest) => void {
  return (r) => {
    const probe = r.path === "/health" || r.path === "/health/ready" || r.path === "/metrics";
    const level = r.status >= 500 ? "error" : probe ? "debug" : "info";
    log(level, "http request", {
      method: r.method,
      path: r.path,
      route: r.route,
      status: r.status,
      durationMs: Math.round(r.durationSeconds * 1e6) / 1e3,
      requestId: r.requestId,
      ...(r.error ? { errorCode: r.error.code, errorMessage: r.error.message } : {}),
    });
  };
}
