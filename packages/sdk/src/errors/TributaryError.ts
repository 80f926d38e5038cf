/** Parameters of {@link TributaryError}. */
export type TributaryErrorParameters = {
  /** Stable machine-readable code, e.g. `CONTRACT_REVERT`, `DATANET_NOT_FOUND`. */
  code: string;
  /** What to do about it, one or two sentences. */
  hint?: string;
  cause?: unknown;
  /** Whether the same call may succeed later (network hiccup, nonce race), not a bad input. */
  retryable?: boolean;
  details?: Record<string, unknown>;
};

/**
 * The one error class of the SDK: a stable `code`, a short message, a `hint` that says what to do,
 * the `cause`, and whether a retry can help.
 *
 * @example
 * try { await claim(client, params); } catch (e) { if (e instanceof TributaryError) console.error(e.code, e.hint); }
 */
export class TributaryError extends Error {
  override name = "TributaryError";
  readonly code: string;
  readonly shortMessage: string;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(shortMessage: string, params: TributaryErrorParameters) {
    super(params.hint ? `${shortMessage}\n\nHint: ${params.hint}` : shortMessage, { cause: params.cause });
    this.code = params.code;
    this.shortMessage = shortMessage;
    this.hint = params.hint;
    this.retryable = params.retryable ?? false;
    this.details = params.details ?? {};
  }
}
