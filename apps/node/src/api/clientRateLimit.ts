import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import { createRateLimiter } from "../gateway/createRateLimiter.ts";
import { ApiError } from "./ApiError.ts";

/** A route that costs the node more than a read: gas, a download, seconds of CPU. */
export type CostlyRoute = { method: string; path: RegExp };

/**
 * The public routes that make the node spend something on a caller's behalf without an API key or the
 * operator token: relayed claims and finalizations spend gas, verification and attribution spend CPU,
 * uploads spend disk and (on submit) gas. Gateway routes are limited per API key instead, operator
 * routes need the token.
 */
export const COSTLY_PUBLIC_ROUTES: readonly CostlyRoute[] = [
  { method: "POST", path: /^\/v1\/claims\/?$/ },
  { method: "POST", path: /^\/v1\/epochs\/[^/]+\/(finalize|verify|cosign)\/?$/ },
  { method: "POST", path: /^\/v1\/attribution\/?$/ },
  { method: "POST", path: /^\/v1\/datanets\/[^/]+\/uploads\/?$/ },
  { method: "POST", path: /^\/v1\/uploads\/[^/]+\/submit\/?$/ },
];

/** Options of {@link clientRateLimit}. */
export type ClientRateLimitParameters = {
  /** Requests per minute per client address on the costly routes, as a token bucket (0 = no limit). */
  perMinute: number;
  /**
   * Reverse proxies in front of the node whose `X-Forwarded-For` entries are trusted (0: the socket's
   * address is the client). With one TLS proxy, 1: the client is the last entry the proxy appended.
   */
  trustProxyHops?: number;
  /** Which requests count (default {@link COSTLY_PUBLIC_ROUTES}). */
  routes?: readonly CostlyRoute[];
  /** Clock in milliseconds (tests). */
  now?: () => number;
};

/**
 * Middleware that limits each client address to `perMinute` requests on the costly public routes and
 * answers 429 `RATE_LIMITED` with `Retry-After` beyond it, before the route reads its body. Other
 * requests pass untouched. In memory, per process.
 *
 * @example
 * app.use("*", clientRateLimit({ perMinute: 60, trustProxyHops: 1 }));
 */
export function clientRateLimit(params: ClientRateLimitParameters): MiddlewareHandler {
  const limiter = createRateLimiter(params.now);
  const routes = params.routes ?? COSTLY_PUBLIC_ROUTES;
  const hops = params.trustProxyHops ?? 0;
  return async (c, next) => {
    if (params.perMinute <= 0) return next();
    const method = c.req.method;
    const path = c.req.path;
    if (!routes.some((r) => r.method === method && r.path.test(path))) return next();
    const client = clientAddress(c, hops);
    const decision = limiter.take(client, params.perMinute);
    if (!decision.ok) {
      c.header("Retry-After", String(decision.retryAfterSeconds));
      throw new ApiError(
        429,
        "RATE_LIMITED",
        `too many requests from ${client} to costly routes (limit ${params.perMinute} per minute)`,
        `Retry after ${decision.retryAfterSeconds} s. A node operator raises the limit with http.clientRateLimitPerMinute.`,
      );
    }
    return next();
  };
}

/** The client's address: the socket's, or the entry `hops` from the end of `X-Forwarded-For`. */
function clientAddress(c: Context, hops: number): string {
  if (hops > 0) {
    const forwarded = (c.req.header("x-forwarded-for") ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    const entry = forwarded[forwarded.length - hops];
    if (entry) return entry;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // In-process requests (`app.request()` in tests) have no socket.
    return "in-process";
  }
}
