import { type Abi, BaseError, ContractFunctionRevertedError, decodeErrorResult, type Hex } from "viem";
import { allErrorsAbi } from "./allErrorsAbi.ts";
import { revertHints } from "./hints/index.ts";
import { TributaryError } from "./TributaryError.ts";

/**
 * A contract call reverted with a custom error. Keeps the error name and its decoded arguments, and a
 * hint that says what to do.
 */
export class ContractRevertError extends TributaryError {
  override name = "ContractRevertError";
  readonly errorName: string;
  readonly args: readonly unknown[];

  constructor(errorName: string, args: readonly unknown[], cause?: unknown) {
    const hintFor = revertHints[errorName];
    super(`${errorName}(${args.map(formatArg).join(", ")})`, {
      code: "CONTRACT_REVERT",
      hint: hintFor ? hintFor(args) : "The contract refused the call; check the arguments against its rules.",
      cause,
      details: { errorName, args },
    });
    this.errorName = errorName;
    this.args = args;
  }
}

function formatArg(v: unknown): string {
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return `[${v.map(formatArg).join(", ")}]`;
  return String(v);
}

/**
 * Turns whatever a viem contract call threw into a typed SDK error: a {@link ContractRevertError} when
 * the revert data decodes against `abi`, a retryable `RPC_ERROR` for transport failures, else the
 * original error wrapped.
 */
export function toTributaryError(error: unknown, abi?: Abi): TributaryError {
  if (error instanceof TributaryError) return error;
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError);
    if (revert instanceof ContractFunctionRevertedError) {
      if (revert.data?.errorName)
        return new ContractRevertError(revert.data.errorName, revert.data.args ?? [], error);
      const raw = (revert as { raw?: Hex }).raw ?? (revert as { signature?: Hex }).signature;
      for (const candidate of [abi, allErrorsAbi]) {
        if (!raw || !candidate) continue;
        try {
          const decoded = decodeErrorResult({ abi: candidate, data: raw });
          return new ContractRevertError(decoded.errorName, decoded.args ?? [], error);
        } catch {
          // not this ABI's error: try the next
        }
      }
      return new TributaryError(`contract reverted: ${revert.reason ?? revert.shortMessage}`, {
        code: "CONTRACT_REVERT",
        hint: "The contract refused the call; check the arguments against its rules.",
        cause: error,
      });
    }
    const name = error.walk(
      (e) => (e as Error).name === "HttpRequestError" || (e as Error).name === "TimeoutError",
    );
    if (name) {
      return new TributaryError(`RPC request failed: ${error.shortMessage}`, {
        code: "RPC_ERROR",
        hint: "Check that the RPC URL is reachable; the call can be retried.",
        cause: error,
        retryable: true,
      });
    }
    return new TributaryError(error.shortMessage, { code: "CHAIN_ERROR", cause: error });
  }
  return new TributaryError(error instanceof Error ? error.message : String(error), {
    code: "UNKNOWN",
    cause: error,
  });
}
