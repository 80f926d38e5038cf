import type { Context, ErrorHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../../api/ApiError.ts";
import { REQUEST_ID } from "../../api/logger.ts";
import type { NodeContext } from "../../context/NodeContext.ts";
import { UPSTREAM_HINT, UpstreamError } from "../upstreamError.ts";

/**
 * OpenAI's error body (`type`, `param` and a lowercase `code` on every error), with Tributary's `hint` (what to
 * do) and `tributary_code` (our stable code, e.g. `INSUFFICIENT_CREDIT` where `code` says `insufficient_quota`).
 */
export type OpenAiErrorBody = {
  error: {
    message: string;
    type: string;
    param: string | null;
    code: string;
    hint: string;
    tributary_code: string;
  };
};

/** Our codes whose OpenAI counterpart is another word; every other code is sent lowercased. */
const OPENAI_CODES: Readonly<Record<string, string>> = {
  INVALID_API_KEY: "invalid_api_key",
  MODEL_NOT_FOUND: "model_not_found",
  MODEL_DEPRECATED: "model_not_found",
  INSUFFICIENT_CREDIT: "insufficient_quota",
  WITHDRAWAL_PENDING: "insufficient_quota",
  RATE_LIMITED: "rate_limit_exceeded",
  PROMPT_TOO_LARGE: "context_length_exceeded",
  MAX_TOKENS_TOO_LARGE: "invalid_value",
  INVALID_BODY: "invalid_value",
  INTERNAL: "server_error",
};

/** The request field an error is about, by our code (`prompt` is `messages` on the chat route). */
const PARAMS: Readonly<Record<string, string>> = {
  MODEL_NOT_FOUND: "model",
  MODEL_DEPRECATED: "model",
  PROMPT_TOO_LARGE: "prompt",
  MAX_TOKENS_TOO_LARGE: "max_tokens",
  INVALID_AGENT_ID: "tributary.agentId",
  AGENT_MISMATCH: "tributary.agentId",
  UNKNOWN_AGENT: "tributary.agentId",
  AGENT_INACTIVE: "tributary.agentId",
  AGENT_MODEL_NOT_ALLOWED: "tributary.agentId",
  INVALID_ADDRESS: "payer",
  INVALID_LIMIT: "limit",
  INVALID_CURSOR: "cursor",
};

/** The paths the gateway answers (its errors are in OpenAI's shape, whoever throws them). */
const GATEWAY_PATH = /^\/v1\/(?:chat\/completions|completions|models|keys)(?:\/|$)/;

/**
 * Whether `path` is one of the gateway's routes: `/v1/chat/completions`, `/v1/completions`, `/v1/models[/…]`,
 * `/v1/keys[/…]`. The app's own `onError` renders errors of these paths (body limits, client rate limits) with
 * {@link openAiErrorBody} too.
 *
 * @example
 * isGatewayPath("/v1/models/moby-dick-ig"); // true
 */
export function isGatewayPath(path: string): boolean {
  return GATEWAY_PATH.test(path);
}

/** A 400 `INVALID_BODY` naming the field (`param`) that failed validation. */
export class InvalidBodyError extends ApiError {
  readonly param: string | null;
  constructor(message: string, hint: string, param: string | null) {
    super(400, "INVALID_BODY", message, hint);
    this.param = param;
  }
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
      { headers: { "Retry-After": String(retryAfterSeconds) } },
    );
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

function errorType(status: number): string {
  if (status === 402) return "insufficient_quota";
  if (status === 429) return "requests";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}

/**
 * An error in OpenAI's shape: `code` is OpenAI's word where there is one (`invalid_api_key`, `model_not_found`,
 * `insufficient_quota`, `rate_limit_exceeded`, `context_length_exceeded`, `invalid_value`), else our code in
 * lowercase; `type` follows the status (`invalid_request_error`, `insufficient_quota` for 402, `requests` for
 * 429, `server_error` for 5xx); `param` names the request field or is null.
 *
 * @example
 * openAiErrorBody(new ApiError(404, "MODEL_NOT_FOUND", "…", "…"), "/v1/chat/completions");
 * // { error: { message, type: "invalid_request_error", param: "model", code: "model_not_found", hint, tributary_code: "MODEL_NOT_FOUND" } }
 */
export function openAiErrorBody(
  e: Pick<ApiError, "status" | "code" | "message" | "hint"> & { param?: string | null },
  path: string,
): OpenAiErrorBody {
  let param = e.param !== undefined ? e.param : (PARAMS[e.code] ?? null);
  if (param === "prompt" && path.startsWith("/v1/chat/")) param = "messages";
  return {
    error: {
      message: e.message,
      type: errorType(e.status),
      param,
      code: OPENAI_CODES[e.code] ?? e.code.toLowerCase(),
      hint: e.hint,
      tributary_code: e.code,
    },
  };
}

/** The request id the request log and the `X-Request-Id` header carry. */
export function requestIdOf(c: Context): string {
  return String(c.get(REQUEST_ID as never) ?? "unknown");
}

/**
 * What a payer learns of an upstream failure, in OpenAI's shape: our code (the upstream's status class), a message
 * with the request id, and a hint. The upstream's own answer (truncated, its URL redacted) goes to the node's
 * log under that id.
 */
export function upstreamFailure(
  ctx: Pick<NodeContext, "log">,
  error: unknown,
  requestId: string,
): OpenAiErrorBody["error"] {
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
  return openAiErrorBody(
    {
      status: e.status,
      code: e.code,
      message: `${e.message} (request id ${requestId})`,
      hint: UPSTREAM_HINT,
    },
    "",
  ).error;
}

/**
 * Renders any error thrown while serving a gateway path as an OpenAI error response: an `ApiError` with its
 * status and headers (`Retry-After` of a 429), an upstream failure with the request id (its detail to the log
 * only), a Hono `HTTPException` as `HTTP_ERROR`, anything else as a logged 500 `INTERNAL`.
 *
 * @example
 * app.onError((error, c) => openAiErrorResponse(ctx, error, c));
 */
export function openAiErrorResponse(ctx: Pick<NodeContext, "log">, error: unknown, c: Context): Response {
  if (error instanceof UpstreamError) {
    return c.json<OpenAiErrorBody>(
      { error: upstreamFailure(ctx, error, requestIdOf(c)) },
      error.status as ContentfulStatusCode,
    );
  }
  let e: ApiError;
  if (error instanceof ApiError) e = error;
  else if (error instanceof HTTPException) {
    e = new ApiError(
      error.status as ContentfulStatusCode,
      "HTTP_ERROR",
      error.message || "request refused",
      "Check the request against the API reference.",
    );
  } else {
    ctx.log("error", "gateway request failed", { requestId: requestIdOf(c), error: String(error) });
    e = new ApiError(
      500,
      "INTERNAL",
      "the gateway failed to handle this request",
      "Retry; if it persists, check the node's logs (search for the X-Request-Id of this response).",
    );
  }
  for (const [name, value] of Object.entries(e.headers)) c.header(name, value);
  return c.json<OpenAiErrorBody>(openAiErrorBody(e, c.req.path), e.status);
}

/**
 * The gateway's `onError`: every error of its routes in OpenAI's shape (see {@link openAiErrorResponse}).
 *
 * @example
 * app.onError(gatewayErrorHandler(ctx));
 */
export function gatewayErrorHandler(ctx: NodeContext): ErrorHandler {
  return (error, c) => openAiErrorResponse(ctx, error, c);
}
