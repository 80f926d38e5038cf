import { settlementAbi } from "@tributary/abi";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link deposit}. */
export type DepositParameters = {
  /** Tokens to deposit, in the token's smallest unit. */
  amount: bigint;
};

/** Result of {@link deposit}: the transaction and its receipt. */
export type DepositReturnType = WriteResult;

/** Thrown by {@link deposit}: a `ContractRevertError` (`SettlementZeroAmount`) or an RPC error. */
export type DepositErrorType = TributaryError;

/**
 * Deposits `amount` tokens from the wallet to its own credit. Needs an allowance; {@link approveAndDeposit} sets it.
 *
 * @example
 * const { receipt } = await deposit(client, { amount: 10n ** 18n });
 */
export async function deposit(
  client: TributaryClient,
  params: DepositParameters,
): Promise<DepositReturnType> {
  return writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "deposit",
    args: [params.amount],
  });
}
