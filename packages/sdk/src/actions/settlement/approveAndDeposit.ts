import { settlementAbi } from "@tributary/abi";
import { type Address, erc20Abi } from "viem";
import { readContract, type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link approveAndDeposit}. */
export type ApproveAndDepositParameters = {
  /** Tokens to deposit, in the token's smallest unit. */
  amount: bigint;
  /** Account credited; the wallet itself when absent. */
  payer?: Address;
};

/** Result of {@link approveAndDeposit}: the approval (absent when the allowance sufficed) and the deposit. */
export type ApproveAndDepositReturnType = { approval?: WriteResult; deposit: WriteResult };

/** Thrown by {@link approveAndDeposit}: a `ContractRevertError` (token or Settlement) or an RPC error. */
export type ApproveAndDepositErrorType = TributaryError;

/**
 * Approves Settlement for exactly `amount` when the current allowance is lower, then deposits it
 * (to `payer`'s credit when given).
 *
 * @example
 * await approveAndDeposit(client, { amount: 10n ** 18n });
 */
export async function approveAndDeposit(
  client: TributaryClient,
  params: ApproveAndDepositParameters,
): Promise<ApproveAndDepositReturnType> {
  const owner = client.walletClient?.account.address;
  const { token, settlement } = client.addresses;
  let approval: WriteResult | undefined;
  if (owner) {
    const allowance = await readContract<bigint>(client, {
      address: token,
      abi: erc20Abi,
      functionName: "allowance",
      args: [owner, settlement],
    });
    if (allowance < params.amount) {
      approval = await writeContractAndWait(client, {
        address: token,
        abi: erc20Abi,
        functionName: "approve",
        args: [settlement, params.amount],
      });
    }
  }
  const deposit = await writeContractAndWait(client, {
    address: settlement,
    abi: settlementAbi,
    functionName: params.payer === undefined ? "deposit" : "depositFor",
    args: params.payer === undefined ? [params.amount] : [params.payer, params.amount],
  });
  return approval ? { approval, deposit } : { deposit };
}
