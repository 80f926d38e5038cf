import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getTokenBalance}. */
export type GetTokenBalanceParameters = {
  /** Account to read. */
  account: Address;
};

/** Return type of {@link getTokenBalance}, as decoded from the ABI. */
export type GetTokenBalanceReturnType = ContractFunctionReturnType<
  typeof tributaryTokenAbi,
  "view",
  "balanceOf"
>;

/** Errors of {@link getTokenBalance}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetTokenBalanceErrorType = TributaryError;

/**
 * Token balance of `account`.
 *
 * @example
 * const balance = await getTokenBalance(client, { account: "0x…" });
 */
export async function getTokenBalance(
  client: TributaryClient,
  params: GetTokenBalanceParameters,
): Promise<GetTokenBalanceReturnType> {
  return readContract<GetTokenBalanceReturnType>(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "balanceOf",
    args: [params.account],
  });
}
