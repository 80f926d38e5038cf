/** Parameters of {@link TributaryError}. */
export type TributaryErrorParameters = {
  /** Stable machine-readable code, e.g. `CONTRACT_REVERT`, `INVALID_UTF8`, `NOT_FOUND`. */
  code: string;
  /** What to do about it, one or two sentences. */
  hint?: string;
  cause?: unknown;
  /** Whether the same call may succeed later (network hiccup, nonce race), not a bad input. */
  retryable?: boolean;
  /** Values a caller may need (ids, addresses, limits). */
  details?: Record<string, unknown>;
};

const BRAND = Symbol.for("tributary.error");

/**
 * The one error base class of every package (core, sdk, node, CLI, web): a stable `code`, a short `message`
 * that names the problem, a `hint` that says what to do, the `cause`, whether a retry can help, and `details`.
 * Each layer subclasses it with its own codes (IngestError, SettlementError, the node's ApiError with an HTTP
 * status, the CLI's CliError with an exit code), so a caller can catch any of them the same way.
 *
 * @example
 * try { await claim(client, params); } catch (e) { if (TributaryError.is(e)) console.error(e.code, e.hint); }
 */
export class TributaryError extends Error {
  override name = "TributaryError";
  readonly code: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(message: string, params: TributaryErrorParameters) {
    super(message, params.cause === undefined ? undefined : { cause: params.cause });
    this.code = params.code;
    this.hint = params.hint;
    this.retryable = params.retryable ?? false;
    this.details = params.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** The message without the hint (viem's name for it; the message never carries the hint). */
  get shortMessage(): string {
    return this.message;
  }

  /**
   * Whether `error` is a TributaryError, also when it comes from another copy of the module (a worker
   * thread, a bundled web app, two installs of the package), where `instanceof` says no.
   */
  static is(error: unknown): error is TributaryError {
    return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
  }
}
