import type { datanetRegistryAbi } from "@tributary/abi";
import type { Address, ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link removeCurator}. */
export type RemoveCuratorParameters = {
  /** Datanet. */
  datanetId: bigint;
  /** Current curator. */
  curator: Address;
};

/** Return type of {@link removeCurator}: the transaction and its receipt. */
export type RemoveCuratorReturnType = WriteResult;

/** Errors of {@link removeCurator}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type RemoveCuratorErrorType = TributaryError;

/**
 * Takes the curator role of a datanet from `curator`. Only the datanet owner.
 *
 * @example
 * await removeCurator(client, { datanetId: 1n, curator: "0x…" });
 */
export async function removeCurator(
  client: TributaryClient,
  params: RemoveCuratorParameters,
): Promise<RemoveCuratorReturnType> {
  const args = [params.datanetId, params.curator] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "removeCurator"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "removeCurator",
    args,
  });
  return result;
}
