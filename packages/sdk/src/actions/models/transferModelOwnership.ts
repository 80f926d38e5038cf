import { modelRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link transferModelOwnership}. */
export type TransferModelOwnershipParameters = {
  /** Model. */
  modelId: bigint;
  /** New owner; effective at once, so check the address. */
  newOwner: Address;
};

/** Return type of {@link transferModelOwnership}: the transaction and its receipt. */
export type TransferModelOwnershipReturnType = WriteResult;

/** Errors of {@link transferModelOwnership}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type TransferModelOwnershipErrorType = TributaryError;

/**
 * Hands a model to `newOwner`. Only the owner.
 *
 * @example
 * await transferModelOwnership(client, { modelId: 1n, newOwner: "0x…" });
 */
export async function transferModelOwnership(
  client: TributaryClient,
  params: TransferModelOwnershipParameters,
): Promise<TransferModelOwnershipReturnType> {
  const args = [params.modelId, params.newOwner] as const satisfies ContractFunctionArgs<
    typeof modelRegistryAbi,
    "nonpayable",
    "transferModelOwnership"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.modelRegistry,
    abi: modelRegistryAbi,
    functionName: "transferModelOwnership",
    args,
  });
  return result;
}
