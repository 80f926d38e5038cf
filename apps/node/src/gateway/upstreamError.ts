import { ApiError } from "../api/ApiError.ts";

/** What the gateway tells a payer when a model's upstream fails; the detail stays in the node's log. */
export const UPSTREAM_HINT =
  "The model's upstream failed; retry later, or ask the node operator to check the upstream (quote the request id: its log has the details).";

/** Most of an upstream's answer the node keeps in its log (never in a response). */
export const UPSTREAM_DETAIL_MAX_CHARS = 500;

/**
 * An upstream (OpenAI-compatible server behind an external model) failed. The payer gets our own message:
 * the code (`UPSTREAM_ERROR`, `UPSTREAM_UNREACHABLE`, `UPSTREAM_TIMEOUT` (504), `UPSTREAM_TOO_LARGE`), the upstream's status class (`4xx`, `5xx`) and a hint;
 * never the upstream's URL, body or network error, which may name internal hosts or echo credentials.
 * `detail` (truncated to {@link UPSTREAM_DETAIL_MAX_CHARS}) is for the node's log only.
 *
 * @example
 * throw new UpstreamError("UPSTREAM_ERROR", { status: 503, detail: await res.text() });
 */
/** Why an upstream call failed, as the payer sees it. */
export type UpstreamErrorCode =
  | "UPSTREAM_ERROR"
  | "UPSTREAM_UNREACHABLE"
  | "UPSTREAM_TIMEOUT"
  | "UPSTREAM_TOO_LARGE";

export class UpstreamError extends ApiError {
  override name = "UpstreamError";
  /** The upstream's HTTP status, when it answered. */
  readonly upstreamStatus: number | undefined;
  /** What the upstream said or why it could not be reached, truncated: server-side only. */
  readonly detail: string;

  constructor(code: UpstreamErrorCode, params: { status?: number; detail: string; cause?: unknown }) {
    super(
      code === "UPSTREAM_TIMEOUT" ? 504 : 502,
      code,
      upstreamMessage(code, params.status),
      UPSTREAM_HINT,
      { cause: params.cause },
    );
    this.upstreamStatus = params.status;
    this.detail = params.detail.slice(0, UPSTREAM_DETAIL_MAX_CHARS);
  }
}

function upstreamMessage(code: UpstreamErrorCode, status: number | undefined): string {
  if (code === "UPSTREAM_UNREACHABLE") return "the model's upstream could not be reached";
  if (code === "UPSTREAM_TIMEOUT") return "the model's upstream did not answer in time";
  if (code === "UPSTREAM_TOO_LARGE") return "the model's upstream answered more than the node accepts";
  if (status === undefined) return "the model's upstream answered with a response the gateway cannot use";
  return `the model's upstream answered ${Math.floor(status / 100)}xx`;
}
