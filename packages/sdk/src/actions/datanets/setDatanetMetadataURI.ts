import type { datanetRegistryAbi } from "@tributary/abi";
import type { ContractFunctionArgs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Parameters of {@link setDatanetMetadataURI}. */
export type SetDatanetMetadataURIParameters = {
  /** Datanet to change. */
  datanetId: bigint;
  /** New metadata URI. */
  metadataURI: string;
};

/** Return type of {@link setDatanetMetadataURI}: the transaction and its receipt. */
export type SetDatanetMetadataURIReturnType = WriteResult;

/** Errors of {@link setDatanetMetadataURI}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type SetDatanetMetadataURIErrorType = TributaryError;

/**
 * Replaces a datanet's metadata URI. Only the datanet owner.
 *
 * @example
 * await setDatanetMetadataURI(client, { datanetId: 1n, metadataURI: "ipfs://…" });
 */
export async function setDatanetMetadataURI(
  client: TributaryClient,
  params: SetDatanetMetadataURIParameters,
): Promise<SetDatanetMetadataURIReturnType> {
  const args = [params.datanetId, params.metadataURI] as const satisfies ContractFunctionArgs<
    typeof datanetRegistryAbi,
    "nonpayable",
    "setDatanetMetadataURI"
  >;
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "setDatanetMetadataURI",
    args,
  });
  return result;
}
