import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../../api/ApiError.ts";

/** Stable codes of {@link DatanetError}, besides the ingest codes of `@tributary/core` (docs/ingest.md §3). */
export type DatanetErrorCode =
  | "NO_CHAIN"
  | "INVALID_REQUEST"
  | "DATANET_NOT_FOUND"
  | "UPLOAD_NOT_FOUND"
  | "CONTRIBUTION_NOT_FOUND"
  | "NO_FILES"
  | "TOO_MANY_FILES"
  | "UPLOAD_TOO_LARGE"
  | "DUPLICATE_IN_UPLOAD"
  | "DUPLICATE_CONTENT"
  | "DUPLICATE_IN_FLIGHT"
  | "NEAR_DUPLICATE"
  | "UPLOAD_NOT_SUBMITTABLE"
  | "UPLOAD_EXPIRED"
  | "UPLOAD_GONE"
  | "SIGNATURE_COUNT"
  | "INVALID_SIGNATURE"
  | "SUBMIT_REVERTED"
  | "SUBMIT_PENDING"
  | "ACCOUNT_CANNOT_SIGN"
  | "NODE_NOT_CURATOR"
  | "NOT_REVIEWABLE"
  | "REVIEW_REVERTED"
  | "CREATE_REVERTED"
  | "RPC_ERROR"
  | "RELAY_DISABLED"
  | "RELAY_QUOTA_EXCEEDED"
  | "COPY_NOT_ACCEPTABLE"
  | (string & {});

/**
 * The one error of uploads, curation and the datanet routes: an HTTP status, a stable `code` (the ingest codes of
 * `@tributary/core` pass through unchanged, e.g. `INVALID_UTF8`), a message that names the file and the rule, a
 * `hint` that says what to do, the `cause`, whether a retry can help, and `details` (file, line, ids). It is an
 * {@link ApiError}, so the app's `onError` renders it as `{ error: { code, message, hint } }`.
 *
 * @example
 * try { await uploads.stageUpload(params); }
 * catch (e) { if (e instanceof DatanetError && e.code === "NEAR_DUPLICATE") console.error(e.details); }
 */
export class DatanetError extends ApiError {
  override name = "DatanetError";
  // `retryable`: whether the same call may succeed later (RPC trouble, a transaction still pending);
  // `details`: values a caller may need (file, line, contribution ids, upload id).

  constructor(
    status: ContentfulStatusCode,
    code: DatanetErrorCode,
    message: string,
    hint: string,
    options?: {
      cause?: unknown;
      details?: Record<string, unknown>;
      retryable?: boolean;
      headers?: Record<string, string>;
    },
  ) {
    super(status, code, message, hint, {
      ...(options?.cause === undefined ? {} : { cause: options.cause }),
      ...(options?.headers ? { headers: options.headers } : {}),
      // Explicit, else RPC trouble and pending transactions, else ApiError's rule (429, 503, 504).
      ...(options?.retryable !== undefined
        ? { retryable: options.retryable }
        : code === "RPC_ERROR" || code === "SUBMIT_PENDING"
          ? { retryable: true }
          : {}),
      ...(options?.details ? { details: options.details } : {}),
    });
  }
}
