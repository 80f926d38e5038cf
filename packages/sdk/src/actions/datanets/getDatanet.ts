import { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link getDatanet}. */
export type GetDatanetParameters = {
  /** Datanet id. */
  datanetId: bigint;
};

/** Return type of {@link getDatanet}, as decoded from the ABI. */
export type GetDatanetReturnType = ContractFunctionReturnType<
  typeof datanetRegistryAbi,
  "view",
  "getDatanet"
>;

/** Errors of {@link getDatanet}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type GetDatanetErrorType = TributaryError;

/**
 * A datanet: owner, version count, metadata URI and policy. Reverts with `DatanetRegistryDatanetNotFound` for an unknown id.
 *
 * @example
 * const { owner, policy, versionCount } = await getDatanet(client, { datanetId: 1n });
 */
export async function getDatanet(
  client: TributaryClient,
  params: GetDatanetParameters,
): Promise<GetDatanetReturnType> {
  return readContract<GetDatanetReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "getDatanet",
    args: [params.datanetId],
  });
}
