import type { MiddlewareHandler } from "hono";
import { ApiError } from "./ApiError.ts";

/** Default largest body of a JSON route without a limit of its own: 64 KiB. */
export const DEFAULT_JSON_BODY_BYTES = 64 * 1024;

/**
 * One route's body limit: a method and a Hono path pattern (`/v1/datanets/:id/uploads`); `handlerReads` when the
 * route's handler streams the body and enforces `maxBytes` itself (the middleware then leaves the body alone).
 */
export type RouteBodyLimit = { method: string; path: string; maxBytes: number; handlerReads?: boolean };

/** Options of {@link createBodyLimit}. */
export type CreateBodyLimitParameters = {
  /** Limit of every request no rule matches (default {@link DEFAULT_JSON_BODY_BYTES}). */
  defaultBytes?: number;
  /** The rules, read at each request (the app mounts its routes after the middleware). */
  rules: () => readonly RouteBodyLimit[];
};

/**
 * Per-route request body limits, enforced while the body is read and before anything parses it: a declared
 * `Content-Length` over the limit is refused without reading a byte; a body without one (chunked) is counted as
 * it arrives and refused at the first byte over the limit, so at most `limit` bytes are ever held. The answer is
 * 413 `BODY_TOO_LARGE` naming the route and its limit.
 *
 * @example
 * app.use("*", createBodyLimit({ rules: () => [{ method: "POST", path: "/v1/datanets/:id/uploads", maxBytes: 64 << 20 }] }));
 */
export function createBodyLimit(params: CreateBodyLimitParameters): MiddlewareHandler {
  const defaultBytes = params.defaultBytes ?? DEFAULT_JSON_BODY_BYTES;
  return async (c, next) => {
    const request = c.req.raw;
    if (!request.body) return next();
    const method = request.method.toUpperCase();
    const path = c.req.path;
    const rule = params.rules().find((r) => r.method.toUpperCase() === method && matches(r.path, path));
    if (rule?.handlerReads) return next();
    const limit = rule?.maxBytes ?? defaultBytes;
    const tooLarge = () =>
      new ApiError(
        413,
        "BODY_TOO_LARGE",
        `${method} ${rule?.path ?? path} accepts request bodies of at most ${limit} bytes (${human(limit)}); this one is larger`,
        rule
          ? "Send a smaller body (split the content over several requests), or ask the operator to raise this route's limit."
          : "Send a smaller body: JSON requests are small; files go to POST /v1/datanets/:id/uploads.",
      );
    const declared = request.headers.get("content-length");
    if (declared !== null && !request.headers.has("transfer-encoding")) {
      // Node's HTTP parser delivers no more than the declared length, so the header is the bound.
      if (!/^\d+$/.test(declared) || Number(declared) > limit) throw tooLarge();
      return next();
    }
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.length;
      // Not cancelled: that would destroy the socket before the 413 is written. The rest stays unread in the
      // socket's buffers (backpressure), and the connection is closed after the answer.
      if (size > limit) throw tooLarge();
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.length;
    }
    c.req.raw = new Request(request, { body });
    return next();
  };
}

/** Whether a Hono path pattern (`/v1/epochs/:epoch/cosign`; `:name` is one segment) matches a path. */
function matches(pattern: string, path: string): boolean {
  const want = pattern.split("/");
  const got = path.replace(/\/+$/, "").split("/");
  if (want.length !== got.length) return false;
  return want.every((w, i) => (w.startsWith(":") ? got[i] !== "" : w === got[i]));
}

function human(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
