import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link setSettlementTreasury}. */
export type SetSettlementTreasuryParameters = {
  /** Account that receives the protocol fee. */
  treasury: Address;
};

/** Result of {@link setSettlementTreasury}: the transaction and its receipt. */
export type SetSettlementTreasuryReturnType = WriteResult;

/** Thrown by {@link setSettlementTreasury}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementZeroAddress`) or an RPC error. */
export type SetSettlementTreasuryErrorType = TributaryError;

/**
 * Sets the account that receives the protocol fee (Settlement owner only).
 *
 * @example
 * const { receipt } = await setSettlementTreasury(client, { treasury });
 */
export async function setSettlementTreasury(
  client: TributaryClient,
  params: SetSettlementTreasuryParameters,
): Promise<SetSettlementTreasuryReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "setTreasury",
    args: [params.treasury],
  });
}
