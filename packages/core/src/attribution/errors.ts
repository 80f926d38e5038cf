import { TributaryError } from "../errors/TributaryError.ts";
/** Stable codes of {@link AttributionError}. */
export type AttributionErrorCode =
  | "INDEX_BAD_MAGIC"
  | "INDEX_UNSUPPORTED_VERSION"
  | "INDEX_TRUNCATED"
  | "INDEX_CORRUPT"
  | "INDEX_CHECKSUM_MISMATCH"
  | "INDEX_TOKENIZER_MISMATCH"
  | "INDEX_TOO_LARGE"
  | "INVALID_TOKEN"
  | "INVALID_PARAMETER";

/**
 * The one error type of the attribution engine: a stable `code`, a short message, a `hint` saying what to do,
 * and the `cause` when there is one. None of these errors is fixed by retrying (`retryable: false`).
 */
export class AttributionError extends TributaryError {
  override readonly name = "AttributionError";
  /** Stable machine-readable code. */
  declare readonly code: AttributionErrorCode;
  /** What the caller should do about it. */
  declare readonly hint: string;

  /** Retrying with the same input gives the same error (`retryable` is false). */
  constructor(code: AttributionErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, { code, hint, cause: options?.cause });
  }
}
