import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getTokenAllowance}. */
export type GetTokenAllowanceParameters = {
  /** Token owner. */
  owner: Address;
  /** Spender. */
  spender: Address;
};

/** Return type of {@link getTokenAllowance}, as decoded from the ABI. */
export type GetTokenAllowanceReturnType = ContractFunctionReturnType<
  typeof tributaryTokenAbi,
  "view",
  "allowance"
>;

/** Errors of {@link getTokenAllowance}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetTokenAllowanceErrorType = TributaryError;

/**
 * How much `spender` may still pull from `owner`.
 *
 * @example
 * const allowance = await getTokenAllowance(client, { owner, spender: client.addresses.datanetRegistry });
 */
export async function getTokenAllowance(
  client: TributaryClient,
  params: GetTokenAllowanceParameters,
): Promise<GetTokenAllowanceReturnType> {
  return readContract<GetTokenAllowanceReturnType>(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "allowance",
    args: [params.owner, params.spender],
  });
}
