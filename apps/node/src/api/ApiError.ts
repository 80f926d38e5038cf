import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An HTTP error every route throws for expected failures. `onError` turns it into the one JSON shape
 * of the API: `{ "error": { "code", "message", "hint" } }` (OpenAI clients read `error.message` too).
 */
export class ApiError extends Error {
  override name = "ApiError";
  readonly status: ContentfulStatusCode;
  readonly code: string;
  readonly hint: string;
  /** Response headers to send with the error (e.g. `Retry-After` of a 429). */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: ContentfulStatusCode,
    code: string,
    message: string,
    hint: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.code = code;
    this.hint = hint;
    this.headers = options?.headers ?? {};
  }
}

/** The body of every error response. */
export type ApiErrorBody = { error: { code: string; message: string; hint: string } };
