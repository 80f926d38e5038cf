import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link mintTokens}. */
export type MintTokensParameters = {
  /** Receiver of the new tokens. */
  to: Address;
  /** Amount in the smallest unit (18 decimals). */
  amount: bigint;
};

/** Return type of {@link mintTokens}: the transaction and its receipt. */
export type MintTokensReturnType = WriteResult;

/** Errors of {@link mintTokens}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type MintTokensErrorType = TributaryError;

/**
 * Mints TributaryToken to `to`. Only the token owner (the deployer on local networks); production tokens such as OPEN have no public mint.
 *
 * @example
 * await mintTokens(client, { to: "0x…", amount: parseEther("1000") });
 */
export async function mintTokens(
  client: TributaryClient,
  params: MintTokensParameters,
): Promise<MintTokensReturnType> {
  const args = [params.to, params.amount] as const satisfies ContractFunctionArgs<
    typeof tributaryTokenAbi,
    "nonpayable",
    "mint"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "mint",
    args,
  });
  return result;
}
