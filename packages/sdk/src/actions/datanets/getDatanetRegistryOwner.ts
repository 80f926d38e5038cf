import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getDatanetRegistryOwner}, as decoded from the ABI. */
export type GetDatanetRegistryOwnerReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "owner"
>;

/** Errors of {@link getDatanetRegistryOwner}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetDatanetRegistryOwnerErrorType = TributaryError;

/**
 * The protocol owner of DatanetRegistry (may set the treasury).
 *
 * @example
 * const owner = await getDatanetRegistryOwner(client);
 */
export async function getDatanetRegistryOwner(
  client: TributaryClient,
): Promise<GetDatanetRegistryOwnerReturnType> {
  return readContract<GetDatanetRegistryOwnerReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "owner",
  });
}
