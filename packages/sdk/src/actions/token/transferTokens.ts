import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link transferTokens}. */
export type TransferTokensParameters = {
  /** Receiver. */
  to: Address;
  /** Amount in the smallest unit. */
  amount: bigint;
};

/** Return type of {@link transferTokens}: the transaction and its receipt. */
export type TransferTokensReturnType = WriteResult;

/** Errors of {@link transferTokens}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type TransferTokensErrorType = TributaryError;

/**
 * Transfers tokens from the wallet's account (ERC20 `transfer`).
 *
 * @example
 * await transferTokens(client, { to: "0x…", amount: 1n });
 */
export async function transferTokens(
  client: TributaryClient,
  params: TransferTokensParameters,
): Promise<TransferTokensReturnType> {
  const args = [params.to, params.amount] as const satisfies ContractFunctionArgs<
    typeof tributaryTokenAbi,
    "nonpayable",
    "transfer"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "transfer",
    args,
  });
  return result;
}
