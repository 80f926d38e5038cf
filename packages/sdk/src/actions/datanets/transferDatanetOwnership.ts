import type { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link transferDatanetOwnership}. */
export type TransferDatanetOwnershipParameters = {
  /** Datanet to hand over. */
  datanetId: bigint;
  /** New owner; the transfer takes effect at once, so check the address. */
  newOwner: Address;
};

/** Return type of {@link transferDatanetOwnership}: the transaction and its receipt. */
export type TransferDatanetOwnershipReturnType = WriteResult;

/** Errors of {@link transferDatanetOwnership}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type TransferDatanetOwnershipErrorType = TributaryError;

/**
 * Hands a datanet to `newOwner`. Only the datanet owner.
 *
 * @example
 * await transferDatanetOwnership(client, { datanetId: 1n, newOwner: "0x…" });
 */
export async function transferDatanetOwnership(
  client: TributaryClient,
  params: TransferDatanetOwnershipParameters,
): Promise<TransferDatanetOwnershipReturnType> {
  const args = [params.datanetId, params.newOwner] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "transferDatanetOwnership"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "transferDatanetOwnership",
    args,
  });
  return result;
}
