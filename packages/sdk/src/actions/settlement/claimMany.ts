import { settlementAbi } from "@tributary/abi";
import { type Address, type Hex, parseEventLogs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** One claim of a {@link claimMany} batch. */
export type ClaimRequest = { account: Address; cumulativeAmount: bigint; proof: readonly Hex[] };

/** Parameters of {@link claimMany}. */
export type ClaimManyParameters = {
  /** Claims, all against the latest finalized rewards root; the batch is all or nothing. */
  claims: readonly ClaimRequest[];
};

/** Result of {@link claimMany}: the transaction and what each account was paid. */
export type ClaimManyReturnType = WriteResult & {
  total: bigint;
  paid: { account: Address; amount: bigint }[];
};

/** Thrown by {@link claimMany}: a `ContractRevertError` of the first failing claim, or an RPC error. */
export type ClaimManyErrorType = TributaryError;

/**
 * Claims for many accounts in one transaction (e.g. a relayer paying the gas for contributors). Filter out
 * accounts whose `getClaimed` already equals their amount first: one such claim reverts the whole batch.
 *
 * @example
 * const { total } = await claimMany(client, { claims: accounts.map((a) => ({ account: a, cumulativeAmount: amounts[a], proof: tree.proof(a) })) });
 */
export async function claimMany(
  client: TributaryClient,
  params: ClaimManyParameters,
): Promise<ClaimManyReturnType> {
  const result = await writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "claimMany",
    args: [params.claims],
  });
  const events = parseEventLogs({ abi: settlementAbi, eventName: "Claimed", logs: result.receipt.logs });
  const paid = events.map((e) => ({ account: e.args.account, amount: e.args.amount }));
  return { ...result, total: paid.reduce((sum, p) => sum + p.amount, 0n), paid };
}
