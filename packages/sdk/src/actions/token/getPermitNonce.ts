import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getPermitNonce}. */
export type GetPermitNonceParameters = {
  /** Token owner. */
  owner: Address;
};

/** Return type of {@link getPermitNonce}, as decoded from the ABI. */
export type GetPermitNonceReturnType = ContractFunctionReturnType<typeof tributaryTokenAbi, "view", "nonces">;

/** Errors of {@link getPermitNonce}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetPermitNonceErrorType = TributaryError;

/**
 * Next ERC-2612 permit nonce of `owner` (used by {@link signPermit}).
 *
 * @example
 * const nonce = await getPermitNonce(client, { owner });
 */
export async function getPermitNonce(
  client: TributaryClient,
  params: GetPermitNonceParameters,
): Promise<GetPermitNonceReturnType> {
  return readContract<GetPermitNonceReturnType>(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "nonces",
    args: [params.owner],
  });
}
