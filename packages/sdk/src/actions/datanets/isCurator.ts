import { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionReturnType } from "viem";
import { readContract, type TributaryClient } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link isCurator}. */
export type IsCuratorParameters = {
  /** Datanet id. */
  datanetId: bigint;
  /** Account to check. */
  account: Address;
};

/** Return type of {@link isCurator}, as decoded from the ABI. */
export type IsCuratorReturnType = ContractFunctionReturnType<typeof datanetRegistryAbi, "view", "isCurator">;

/** Errors of {@link isCurator}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type IsCuratorErrorType = TributaryError;

/**
 * Whether `account` may review and publish for a datanet (a curator or the owner).
 *
 * @example
 * if (await isCurator(client, { datanetId: 1n, account })) { … }
 */
export async function isCurator(
  client: TributaryClient,
  params: IsCuratorParameters,
): Promise<IsCuratorReturnType> {
  return readContract<IsCuratorReturnType>(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryAbi,
    functionName: "isCurator",
    args: [params.datanetId, params.account],
  });
}
