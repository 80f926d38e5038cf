import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Return type of {@link getDatanetCount}, as decoded from the ABI. */
export type GetDatanetCountReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "datanetCount"
>;

/** Errors of {@link getDatanetCount}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetDatanetCountErrorType = TributaryError;

/**
 * Number of datanets; ids are `1n..count`.
 *
 * @example
 * const count = await getDatanetCount(client);
 */
export async function getDatanetCount(client: TributaryClient): Promise<GetDatanetCountReturnType> {
  return readContract<GetDatanetCountReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "datanetCount",
  });
}
