import { settlementAbi } from "@tributary/abi";
import type { Address } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link depositFor}. */
export type DepositForParameters = {
  /** Account credited with the deposit. */
  payer: Address;
  /** Tokens to deposit, in the token's smallest unit. */
  amount: bigint;
};

/** Result of {@link depositFor}: the transaction and its receipt. */
export type DepositForReturnType = WriteResult;

/** Thrown by {@link depositFor}: a `ContractRevertError` (`SettlementZeroAmount`, `SettlementZeroAddress`) or an RPC error. */
export type DepositForErrorType = TributaryError;

/**
 * Deposits `amount` tokens from the wallet to the credit of `payer` (e.g. an app funding its users). Needs an allowance.
 *
 * @example
 * const { receipt } = await depositFor(client, { payer, amount: 10n ** 18n });
 */
export async function depositFor(
  client: TributaryClient,
  params: DepositForParameters,
): Promise<DepositForReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "depositFor",
    args: [params.payer, params.amount],
  });
}
