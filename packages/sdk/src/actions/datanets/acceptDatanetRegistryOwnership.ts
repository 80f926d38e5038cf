import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";
import { datanetRegistryCallAbi } from "./internal/callAbi.ts";

/** Return type of {@link acceptDatanetRegistryOwnership}: the transaction and its receipt. */
export type AcceptDatanetRegistryOwnershipReturnType = WriteResult;

/** Errors of {@link acceptDatanetRegistryOwnership}: a `ContractRevertError` (code `CONTRACT_REVERT`, with `errorName`, `args` and a hint) when the contract refuses, else a `TributaryError` (`RPC_ERROR` is retryable). */
export type AcceptDatanetRegistryOwnershipErrorType = TributaryError;

/**
 * Completes the two-step ownership transfer; sent by the pending owner.
 *
 * @example
 * await acceptDatanetRegistryOwnership(newOwnerClient);
 */
export async function acceptDatanetRegistryOwnership(
  client: TributaryClient,
): Promise<AcceptDatanetRegistryOwnershipReturnType> {
  const result = await writeContractAndWait(client, {
    address: client.addresses.datanetRegistry,
    abi: datanetRegistryCallAbi,
    functionName: "acceptOwnership",
  });
  return result;
}
