import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link addAttestor}. */
export type AddAttestorParameters = {
  /** Account allowed to sign epoch reports. */
  attestor: Address;
};

/** Result of {@link addAttestor}: the transaction and its receipt. */
export type AddAttestorReturnType = WriteResult;

/** Thrown by {@link addAttestor}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementAttestorExists`, `SettlementZeroAddress`) or an RPC error. */
export type AddAttestorErrorType = TributaryError;

/**
 * Adds an attestor (Settlement owner only).
 *
 * @example
 * const { receipt } = await addAttestor(client, { attestor });
 */
export async function addAttestor(
  client: TributaryClient,
  params: AddAttestorParameters,
): Promise<AddAttestorReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "addAttestor",
    args: [params.attestor],
  });
}
