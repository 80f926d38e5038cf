import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getVersionCount}. */
export type GetVersionCountParameters = {
  /** Datanet id. */
  datanetId: bigint;
};

/** Return type of {@link getVersionCount}, as decoded from the ABI. */
export type GetVersionCountReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "versionCount"
>;

/** Errors of {@link getVersionCount}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetVersionCountErrorType = TributaryError;

/**
 * Number of published versions of a datanet (`0n` for an unknown datanet).
 *
 * @example
 * const latest = await getVersionCount(client, { datanetId: 1n });
 */
export async function getVersionCount(
  client: TributaryClient,
  params: GetVersionCountParameters,
): Promise<GetVersionCountReturnType> {
  return readContract<GetVersionCountReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "versionCount",
    args: [params.datanetId],
  });
}
