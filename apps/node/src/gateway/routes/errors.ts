import type { Context, ErrorHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../../api/ApiError.ts";
import { REQUEST_ID } from "../../api/logger.ts";
import type { NodeContext } from "../../context/NodeContext.ts";
import { UPSTREAM_HINT, UpstreamError } from "../upstreamError.ts";

/** The OpenAI error body, with Tributary's `hint`. */
export type OpenAiErrorBody = { error: { message: string; type: string; code: string; hint: string } };

/** The request id the request log and the `X-Request-Id` header carry. */
export function requestIdOf(c: Context): string {
  return String(c.get(REQUEST_ID as never) ?? "unknown");
}

/**
 * What a payer learns of an upstream failure: our code and message (the upstream's status class), the request
 * id and a hint. The upstream's own answer (truncated, its URL redacted) goes to the node's log under that id.
 */
export function upstreamFailure(
  ctx: Pick<NodeContext, "log">,
  error: unknown,
  requestId: string,
): { code: string; message: string; hint: string } {
  const e =
    error instanceof UpstreamError
      ? error
      : new UpstreamError("UPSTREAM_ERROR", { detail: String(error), cause: error });
  ctx.log("warn", "gateway: upstream failed", {
    requestId,
    code: e.code,
    ...(e.upstreamStatus !== undefined ? { upstreamStatus: e.upstreamStatus } : {}),
    detail: e.detail,
  });
  return { code: e.code, message: `${e.message} (request id ${requestId})`, hint: UPSTREAM_HINT };
}

/** A 429 with the seconds to wait (sent as `Retry-After`). */
export class RateLimitedError extends ApiError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, limit: number) {
    super(
      429,
      "RATE_LIMITED",
      `this API key is limited to ${limit} requests per minute`,
      `Retry after ${retryAfterSeconds} s (Retry-After header), or ask the node operator for a higher limit on this key.`,
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function errorType(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 402) return "insufficient_quota";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/**
 * The gateway's `onError`: every error in OpenAI's shape with our hint; an upstream failure names the request
 * id (its detail goes to the log only); a 429 carries `Retry-After`; anything unexpected is a logged 500.
 *
 * @example
 * app.onError(gatewayErrorHandler(ctx));
 */
export function gatewayErrorHandler(ctx: NodeContext): ErrorHandler {
  return (error, c) => {
    const e =
      error instanceof ApiError
        ? error
        : new ApiError(
            500,
            "INTERNAL",
            "the gateway failed to handle this request",
            "Retry; if it persists, check the node's logs.",
          );
    if (!(error instanceof ApiError)) ctx.log("error", "gateway request failed", { error: String(error) });
    if (e instanceof UpstreamError) {
      const view = upstreamFailure(ctx, e, requestIdOf(c));
      return c.json<OpenAiErrorBody>(
        { error: { ...view, type: errorType(e.status) } },
        e.status as ContentfulStatusCode,
      );
    }
    if (e instanceof RateLimitedError) c.header("Retry-After", String(e.retryAfterSeconds));
    return c.json<OpenAiErrorBody>(
      { error: { message: e.message, type: errorType(e.status), code: e.code, hint: e.hint } },
      e.status as ContentfulStatusCode,
    );
  };
}
