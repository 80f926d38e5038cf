import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getDatanetRegistryPendingOwner}, as decoded from the ABI. */
export type GetDatanetRegistryPendingOwnerReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "pendingOwner"
>;

/** Errors of {@link getDatanetRegistryPendingOwner}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetDatanetRegistryPendingOwnerErrorType = TributaryError;

/**
 * The account that may accept ownership of DatanetRegistry (zero when none).
 *
 * @example
 * const pending = await getDatanetRegistryPendingOwner(client);
 */
export async function getDatanetRegistryPendingOwner(
  client: TributaryClient,
): Promise<GetDatanetRegistryPendingOwnerReturnType> {
  return readContract<GetDatanetRegistryPendingOwnerReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "pendingOwner",
  });
}
