import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link approveTokens}. */
export type ApproveTokensParameters = {
  /** Contract allowed to pull tokens, e.g. `client.addresses.datanetRegistry` for stakes. */
  spender: Address;
  /** Allowance in the smallest unit. */
  amount: bigint;
};

/** Return type of {@link approveTokens}: the transaction and its receipt. */
export type ApproveTokensReturnType = WriteResult;

/** Errors of {@link approveTokens}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type ApproveTokensErrorType = TributaryError;

/**
 * Approves `spender` to pull up to `amount` tokens from the wallet's account (ERC20 `approve`).
 *
 * @example
 * await approveTokens(client, { spender: client.addresses.datanetRegistry, amount: parseEther("10") });
 */
export async function approveTokens(
  client: TributaryClient,
  params: ApproveTokensParameters,
): Promise<ApproveTokensReturnType> {
  const args = [params.spender, params.amount] as const satisfies ContractFunctionArgs<
    typeof tributaryTokenAbi,
    "nonpayable",
    "approve"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "approve",
    args,
  });
  return result;
}
