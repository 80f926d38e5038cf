import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link removeAttestor}. */
export type RemoveAttestorParameters = {
  /** Attestor to remove. */
  attestor: Address;
};

/** Result of {@link removeAttestor}: the transaction and its receipt. */
export type RemoveAttestorReturnType = WriteResult;

/** Thrown by {@link removeAttestor}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementAttestorNotFound`, `SettlementInvalidQuorum`) or an RPC error. */
export type RemoveAttestorErrorType = TributaryError;

/**
 * Removes an attestor (Settlement owner only); the quorum must stay reachable, so lower it first if needed.
 *
 * @example
 * const { receipt } = await removeAttestor(client, { attestor });
 */
export async function removeAttestor(
  client: TributaryClient,
  params: RemoveAttestorParameters,
): Promise<RemoveAttestorReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "removeAttestor",
    args: [params.attestor],
  });
}
