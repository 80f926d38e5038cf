import { TributaryError } from "@tributary/core";
/** Stable codes of {@link ContentStoreError}. */
export type ContentStoreErrorCode = "INVALID_CID" | "CONTENT_CORRUPT" | "STORE_IO";

/**
 * The one error type of content stores: a stable `code`, a short message, a `hint`, the `cause`, and whether
 * retrying can help (`STORE_IO` may be transient: a full disk, a network store; the others are not).
 *
 * @example
 * try { await store.get(cid); } catch (e) { if (e instanceof ContentStoreError && e.code === "CONTENT_CORRUPT") … }
 */
export class ContentStoreError extends TributaryError {
  override readonly name = "ContentStoreError";
  /** Stable machine-readable code. */
  declare readonly code: ContentStoreErrorCode;
  /** What the operator should do about it. */
  declare readonly hint: string;
  // `retryable`: the same call may succeed later (STORE_IO).

  constructor(code: ContentStoreErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, { code, hint, cause: options?.cause, retryable: code === "STORE_IO" });
  }
}
