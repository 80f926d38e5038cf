import { TributaryError } from "@tributary/core";
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
export class VersionError extends TributaryError {
  override readonly name = "VersionError";
  /** Stable machine-readable code. */
  declare readonly code: VersionErrorCode;
  /** What to do about it. */
  declare readonly hint: string;
  // `retryable`: whether the same call may succeed later; `details`: ids, addresses, missing CIDs.

  constructor(
    code: VersionErrorCode,
    message: string,
    hint: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, {
      code,
      hint,
      cause: options?.cause,
      retryable: retryableCodes.has(code),
      ...(options?.details ? { details: options.details } : {}),
    });
  }
}
