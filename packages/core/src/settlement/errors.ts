import { TributaryError } from "../errors/TributaryError.ts";
/**
 * Stable codes of {@link SettlementError}. The node, the CLI verifier and docs/settlement-core.md key on
 * these; never rename one, only add.
 */
export type SettlementErrorCode =
  | "INVALID_AMOUNT"
  | "INVALID_TOKEN_COUNT"
  | "INVALID_PRICING"
  | "INVALID_BPS"
  | "INVALID_SPLIT"
  | "INVALID_ATTRIBUTION"
  | "INVALID_FALLBACK"
  | "INVALID_ADDRESS"
  | "UNKNOWN_CONTRIBUTION"
  | "MISSING_AGENT_OPERATOR"
  | "INVALID_RECEIPT"
  | "RECEIPT_UNBALANCED"
  | "RECEIPT_NOT_CANONICAL"
  | "DUPLICATE_ACCOUNT"
  | "AGGREGATOR_FINISHED"
  | "INVALID_EPOCH"
  | "PAYER_NOT_IN_CHARGES"
  | "REWARDS_EXCEED_CHARGES";

/**
 * The one error type of the settlement core: a stable `code`, a short message, a `hint` saying what to do,
 * and the `cause` when there is one. It is thrown only for programmer errors (inputs that can never be
 * valid, such as a split that does not sum to 10000 bps or a negative price); expected failures, such as a
 * bundle that does not match its report, are returned as results. Retrying with the same input gives the
 * same error (`retryable: false`).
 *
 * @example
 * try {
 *   splitFee(parameters);
 * } catch (error) {
 *   if (error instanceof SettlementError) console.error(`${error.code}: ${error.message} (${error.hint})`);
 * }
 */
export class SettlementError extends TributaryError {
  override readonly name = "SettlementError";
  /** Stable machine-readable code. */
  declare readonly code: SettlementErrorCode;
  /** What the caller should do about it. */
  declare readonly hint: string;

  /** Retrying with the same input gives the same error (`retryable` is false). */
  constructor(code: SettlementErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, { code, hint, cause: options?.cause });
  }
}

/** Throws a {@link SettlementError}; a one-liner for the many argument checks. */
export function fail(code: SettlementErrorCode, message: string, hint: string, cause?: unknown): never {
  throw new SettlementError(code, message, hint, cause === undefined ? undefined : { cause });
}
