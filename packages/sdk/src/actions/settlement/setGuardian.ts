import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link setGuardian}. */
export type SetGuardianParameters = {
  /** Account that may veto reports. */
  guardian: Address;
};

/** Result of {@link setGuardian}: the transaction and its receipt. */
export type SetGuardianReturnType = WriteResult;

/** Thrown by {@link setGuardian}: a `ContractRevertError` (`OwnableUnauthorizedAccount`, `SettlementZeroAddress`) or an RPC error. */
export type SetGuardianErrorType = TributaryError;

/**
 * Sets the account that may veto epoch reports (Settlement owner only).
 *
 * @example
 * const { receipt } = await setGuardian(client, { guardian });
 */
export async function setGuardian(
  client: TributaryClient,
  params: SetGuardianParameters,
): Promise<SetGuardianReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "setGuardian",
    args: [params.guardian],
  });
}
