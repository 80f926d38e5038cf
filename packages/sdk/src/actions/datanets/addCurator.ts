import type { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link addCurator}. */
export type AddCuratorParameters = {
  /** Datanet. */
  datanetId: bigint;
  /** Account that may then review and publish versions. */
  curator: Address;
};

/** Return type of {@link addCurator}: the transaction and its receipt. */
export type AddCuratorReturnType = WriteResult;

/** Errors of {@link addCurator}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type AddCuratorErrorType = TributaryError;

/**
 * Gives `curator` the curator role of a datanet. Only the datanet owner.
 *
 * @example
 * await addCurator(client, { datanetId: 1n, curator: "0x…" });
 */
export async function addCurator(
  client: TributaryClient,
  params: AddCuratorParameters,
): Promise<AddCuratorReturnType> {
  const args = [params.datanetId, params.curator] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "addCurator"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "addCurator",
    args,
  });
  return result;
}
