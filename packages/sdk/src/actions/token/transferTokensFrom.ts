import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link transferTokensFrom}. */
export type TransferTokensFromParameters = {
  /** Owner of the tokens, who approved the wallet's account. */
  from: Address;
  /** Receiver. */
  to: Address;
  /** Amount in the smallest unit. */
  amount: bigint;
};

/** Return type of {@link transferTokensFrom}: the transaction and its receipt. */
export type TransferTokensFromReturnType = WriteResult;

/** Errors of {@link transferTokensFrom}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type TransferTokensFromErrorType = TributaryError;

/**
 * Transfers tokens from `from` using the wallet account's allowance (ERC20 `transferFrom`).
 *
 * @example
 * await transferTokensFrom(client, { from: "0x…", to: "0x…", amount: 1n });
 */
export async function transferTokensFrom(
  client: TributaryClient,
  params: TransferTokensFromParameters,
): Promise<TransferTokensFromReturnType> {
  const args = [params.from, params.to, params.amount] as const satisfies ContractFunctionArgs<
    typeof tributaryTokenAbi,
    "nonpayable",
    "transferFrom"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "transferFrom",
    args,
  });
  return result;
}
