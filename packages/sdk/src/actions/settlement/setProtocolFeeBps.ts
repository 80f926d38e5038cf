import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link setProtocolFeeBps}. */
export type SetProtocolFeeBpsParameters = {
  /** Protocol share of every fee in basis points (at most 2000). */
  bps: number;
};

/** Result of {@link setProtocolFeeBps}: the transaction and its receipt. */
export type SetProtocolFeeBpsReturnType = WriteResult;

/** Thrown by {@link setProtocolFeeBps}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementProtocolFeeTooHigh`) or an RPC error. */
export type SetProtocolFeeBpsErrorType = TributaryError;

/**
 * Sets the protocol fee that attestors credit to the treasury in the rewards tree (Settlement owner only).
 *
 * @example
 * const { receipt } = await setProtocolFeeBps(client, { bps: 500 });
 */
export async function setProtocolFeeBps(
  client: TributaryClient,
  params: SetProtocolFeeBpsParameters,
): Promise<SetProtocolFeeBpsReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "setProtocolFeeBps",
    args: [params.bps],
  });
}
