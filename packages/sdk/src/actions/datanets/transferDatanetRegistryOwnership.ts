import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link transferDatanetRegistryOwnership}. */
export type TransferDatanetRegistryOwnershipParameters = {
  /** Account that must then call {@link acceptDatanetRegistryOwnership}. */
  newOwner: Address;
};

/** Return type of {@link transferDatanetRegistryOwnership}: the transaction and its receipt. */
export type TransferDatanetRegistryOwnershipReturnType = WriteResult;

/** Errors of {@link transferDatanetRegistryOwnership}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type TransferDatanetRegistryOwnershipErrorType = TributaryError;

/**
 * Starts the two-step transfer of DatanetRegistry's protocol ownership. Only the current owner.
 *
 * @example
 * await transferDatanetRegistryOwnership(client, { newOwner: "0x…" });
 */
export async function transferDatanetRegistryOwnership(
  client: TributaryClient,
  params: TransferDatanetRegistryOwnershipParameters,
): Promise<TransferDatanetRegistryOwnershipReturnType> {
  const args = [params.newOwner] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryCallAbi,
    "nonpayable",
    "transferOwnership"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "transferOwnership",
    args,
  });
  return result;
}
