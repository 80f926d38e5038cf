import { getDeposited, getWithdrawalDelay, getWithdrawalRequestedAt, getWithdrawn } from "@tributary/sdk";
import { type Address, getAddress } from "viem";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";

/** A payer's credit: on-chain deposits and withdrawals, the node's charges, and any pending withdrawal. */
export type PayerView = {
  payer: Address;
  deposited: bigint;
  withdrawn: bigint;
  charged: bigint;
  credit: bigint;
  withdrawalRequestedAt: number | null;
  withdrawalAvailableAt: number | null;
};

/** What a payer has deposited, been charged and can still spend (`credit`). */
export async function payerView(ctx: NodeContext, chain: ChainContext, payer: Address): Promise<PayerView> {
  const [deposited, withdrawn, requestedAt, delay, row] = await Promise.all([
    getDeposited(chain.sdk, { payer }),
    getWithdrawn(chain.sdk, { payer }),
    getWithdrawalRequestedAt(chain.sdk, { payer }),
    getWithdrawalDelay(chain.sdk),
    ctx.db
      .selectFrom("payer_charges")
      .select("charged")
      .where("payer", "=", payer.toLowerCase())
      .executeTakeFirst(),
  ]);
  const charged = row ? BigInt(row.charged) : 0n;
  const credit = deposited - withdrawn - charged;
  return {
    payer: getAddress(payer),
    deposited,
    withdrawn,
    charged,
    credit: credit > 0n ? credit : 0n,
    withdrawalRequestedAt: requestedAt > 0n ? Number(requestedAt) : null,
    withdrawalAvailableAt: requestedAt > 0n ? Number(requestedAt + BigInt(delay)) : null,
  };
}
