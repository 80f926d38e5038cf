import { ContractRevertError, TributaryError, toTributaryError } from "@tributary/sdk";
import type { Abi } from "viem";
import { DatanetError, type DatanetErrorCode } from "./errors.ts";

/**
 * Turns what a chain call threw into a {@link DatanetError}: a contract revert becomes 409 `code` with the
 * decoded error name and arguments in the message and the SDK's hint; transport failures become a retryable
 * 502 `RPC_ERROR`.
 *
 * @example
 * try { await reviewContributions(sdk, params); } catch (e) { throw chainError(e, "REVIEW_REVERTED", "review"); }
 */
export function chainError(error: unknown, code: DatanetErrorCode, action: string, abi?: Abi): DatanetError {
  if (error instanceof DatanetError) return error;
  const typed = error instanceof TributaryError ? error : toTributaryError(error, abi);
  if (typed instanceof ContractRevertError) {
    return new DatanetError(409, code, `${action} reverted: ${typed.shortMessage}`, typed.hint ?? "", {
      cause: error,
      details: { errorName: typed.errorName },
    });
  }
  if (typed.code === "CONTRACT_REVERT") {
    return new DatanetError(409, code, `${action} reverted: ${typed.shortMessage}`, typed.hint ?? "", {
      cause: error,
    });
  }
  return new DatanetError(
    502,
    "RPC_ERROR",
    `${action} failed: ${typed.shortMessage}`,
    "Check the node's RPC endpoint; the call can be retried.",
    { cause: error, retryable: true },
  );
}
