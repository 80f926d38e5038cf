/** Stable codes of {@link ContentStoreError}. */
export type ContentStoreErrorCode = "INVALID_CID" | "CONTENT_CORRUPT" | "STORE_IO";

/**
 * The one error type of content stores: a stable `code`, a short message, a `hint`, the `cause`, and whether
 * retrying can help (`STORE_IO` may be transient: a full disk, a network store; the others are not).
 *
 * @example
 * try { await store.get(cid); } catch (e) { if (e instanceof ContentStoreError && e.code === "CONTENT_CORRUPT") … }
 */
export class ContentStoreError extends Error {
  override readonly name = "ContentStoreError";
  /** Stable machine-readable code. */
  readonly code: ContentStoreErrorCode;
  /** What the operator should do about it. */
  readonly hint: string;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;

  constructor(code: ContentStoreErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = hint;
    this.retryable = code === "STORE_IO";
  }
}
