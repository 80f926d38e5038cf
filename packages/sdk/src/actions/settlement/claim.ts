import { settlementAbi } from "@tributary/abi";
import { type Address, type Hex, parseEventLogs } from "viem";
import { type TributaryClient, type WriteResult, writeContractAndWait } from "../../client.ts";
import type { TributaryError } from "../../errors/TributaryError.ts";

/** Parameters of {@link claim}. */
export type ClaimParameters = {
  /** Account paid; the wallet may be any account (funds only ever go to `account`). */
  account: Address;
  /** `account`'s amount in the latest finalized rewards tree. */
  cumulativeAmount: bigint;
  /** Merkle proof of `(account, cumulativeAmount)` in that tree. */
  proof: readonly Hex[];
};

/** Result of {@link claim}: the transaction and the amount paid. */
export type ClaimReturnType = WriteResult & { amount: bigint };

/**
 * Thrown by {@link claim}: a `ContractRevertError` (`SettlementNothingToClaim`, `SettlementInvalidProof`,
 * `SettlementNoFinalizedEpoch`) or an RPC error.
 */
export type ClaimErrorType = TributaryError;

/**
 * Pays `account` its cumulative rewards minus what it already claimed, against the latest finalized rewards root.
 *
 * @example
 * const { amount } = await claim(client, { account, cumulativeAmount, proof: tree.proof(account) });
 */
export async function claim(client: TributaryClient, params: ClaimParameters): Promise<ClaimReturnType> {
  const result = await writeContractAndWait(client, {
    address: client.addresses.settlement,
    abi: settlementAbi,
    functionName: "claim",
    args: [params.account, params.cumulativeAmount, params.proof],
  });
  const events = parseEventLogs({ abi: settlementAbi, eventName: "Claimed", logs: result.receipt.logs });
  return { ...result, amount: events.reduce((sum, e) => sum + e.args.amount, 0n) };
}
