/** Stable codes of {@link VersionError}. */
export type VersionErrorCode =
  | "NO_CHAIN"
  | "DATANET_NOT_FOUND"
  | "VERSION_NOT_FOUND"
  | "NODE_NOT_CURATOR"
  | "EMPTY_VERSION"
  | "VERSION_UNCHANGED"
  | "CONTENT_MISSING"
  | "MANIFEST_MISSING"
  | "MANIFEST_INVALID"
  | "ACCOUNT_CANNOT_SIGN"
  | "PUBLISH_REVERTED"
  | "PUBLISH_TIMEOUT"
  | "RPC_ERROR";

const retryableCodes: ReadonlySet<VersionErrorCode> = new Set(["RPC_ERROR", "PUBLISH_TIMEOUT"]);

/**
 * The one error of publishing and exporting datanet versions: a stable `code`, a short message, a `hint` that
 * says what to do, the `cause`, and whether retrying can help (`RPC_ERROR`, `PUBLISH_TIMEOUT`). The version
 * routes turn it into the API's JSON error shape.
 *
 * @example
 * try { await service.publishVersion(1n); }
 * catch (e) { if (e instanceof VersionError && e.code === "NODE_NOT_CURATOR") console.error(e.hint); }
 */
export class VersionError extends Error {
  override readonly name = "VersionError";
  /** Stable machine-readable code. */
  readonly code: VersionErrorCode;
  /** What to do about it. */
  readonly hint: string;
  /** Whether the same call may succeed later. */
  readonly retryable: boolean;
  /** Values a caller may need (ids, addresses, missing CIDs). */
  readonly details: Record<string, unknown>;

  constructor(
    code: VersionErrorCode,
    message: string,
    hint: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = hint;
    this.retryable = retryableCodes.has(code);
    this.details = options?.details ?? {};
  }
}
