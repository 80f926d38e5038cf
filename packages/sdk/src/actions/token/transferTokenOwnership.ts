import { tributaryTokenAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link transferTokenOwnership}. */
export type TransferTokenOwnershipParameters = {
  /** New owner (the only account that may mint); effective at once. */
  newOwner: Address;
};

/** Return type of {@link transferTokenOwnership}: the transaction and its receipt. */
export type TransferTokenOwnershipReturnType = WriteResult;

/** Errors of {@link transferTokenOwnership}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type TransferTokenOwnershipErrorType = TributaryError;

/**
 * Hands TributaryToken's minting right to `newOwner`. Only the current owner.
 *
 * @example
 * await transferTokenOwnership(client, { newOwner: "0x…" });
 */
export async function transferTokenOwnership(
  client: TributaryClient,
  params: TransferTokenOwnershipParameters,
): Promise<TransferTokenOwnershipReturnType> {
  const args = [params.newOwner] as const satisfies ContractFunctionArgs<
    typeof tributaryTokenAbi,
    "nonpayable",
    "transferOwnership"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.token,
    abi: tributaryTokenAbi,
    functionName: "transferOwnership",
    args,
  });
  return result;
}
