import type { Context } from "hono";
import { ApiError } from "../../api/ApiError.ts";
import type { AuthenticatedKey } from "../keys/apiKeys.ts";
import { RateLimitedError } from "./errors.ts";
import type { GatewayRouteDeps } from "./routeDeps.ts";

/**
 * The request's API key (`Authorization: Bearer trib_…`), counted against its rate limit; 401
 * `INVALID_API_KEY`, 429 `RATE_LIMITED`.
 *
 * @example
 * const { payer } = await authenticateRequest(deps, c);
 */
export async function authenticateRequest(
  { service, limiter, defaultLimit }: GatewayRouteDeps,
  c: Context,
): Promise<AuthenticatedKey> {
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  const key = match?.[1] ? await service.authenticate(match[1]) : undefined;
  if (!key) {
    throw new ApiError(
      401,
      "INVALID_API_KEY",
      "missing or invalid API key",
      "Send `Authorization: Bearer trib_…` with a key the node operator created for your payer account.",
    );
  }
  const limit = key.rateLimitPerMinute ?? defaultLimit;
  const decision = limiter.take(key.id, limit);
  if (!decision.ok) throw new RateLimitedError(decision.retryAfterSeconds, limit);
  return key;
}
