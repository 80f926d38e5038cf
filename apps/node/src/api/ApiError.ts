import { TributaryError } from "@tributary/core";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An HTTP error every route throws for expected failures (a {@link TributaryError} with an HTTP status). `onError` turns it into the one JSON shape
 * of the API: `{ "error": { "code", "message", "hint" } }` (OpenAI clients read `error.message` too).
 */
export class ApiError extends TributaryError {
  override name = "ApiError";
  readonly status: ContentfulStatusCode;
  declare readonly hint: string;
  /** Response headers to send with the error (e.g. `Retry-After` of a 429). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    hint: string,
    options?: {
      cause?: unknown;
      headers?: Record<string, string>;
      retryable?: boolean;
      details?: Record<string, unknown>;
    },
  ) {
    super(message, {
      code,
      hint,
      cause: options?.cause,
      retryable: options?.retryable ?? (status === 429 || status === 503 || status === 504),
      ...(options?.details ? { details: options.details } : {}),
    });
    this.status = status;
    this.headers = options?.headers ?? {};
  }
}

/** The body of every error response. */
export type ApiErrorBody = { error: { code: string; message: string; hint: string } };
