import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getVersion}. */
export type GetVersionParameters = {
  /** Datanet id. */
  datanetId: bigint;
  /** Version number, from 1. */
  version: bigint;
};

/** Return type of {@link getVersion}, as decoded from the ABI. */
export type GetVersionReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "getVersion"
>;

/** Errors of {@link getVersion}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetVersionErrorType = TributaryError;

/**
 * A published version: contributions root, count, publication time and manifest URI.
 *
 * @example
 * const { contributionsRoot, manifestURI } = await getVersion(client, { datanetId: 1n, version: 1n });
 */
export async function getVersion(
  client: TributaryClient,
  params: GetVersionParameters,
): Promise<GetVersionReturnType> {
  return readContract<GetVersionReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "getVersion",
    args: [params.datanetId, params.version],
  });
}
