import { buildCumulativeTree, type CumulativeTree } from "@tributary/core";
import { getFinalizedEpoch } from "@tributary/sdk";
import { type Address, getAddress, type Hex } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import { leavesOf } from "./epochRecords.ts";

/** A proof of one account's leaf in the latest finalized tree. */
export type AccountProof = {
  account: Address;
  tree: "rewards" | "charges";
  epoch: number;
  root: Hex;
  cumulativeAmount: bigint;
  proof: Hex[];
};

/**
 * Serves Merkle proofs against the latest report Settlement finalized. Trees are rebuilt from
 * `epoch_leaves` once per epoch and kept (two trees of the newest epoch).
 */
export function createProofService(ctx: NodeContext, chain: ChainContext) {
  const cache = new Map<string, CumulativeTree | undefined>();

  async function treeOf(epoch: number, tree: "rewards" | "charges"): Promise<CumulativeTree | undefined> {
    const key = `${epoch}:${tree}`;
    if (!cache.has(key)) {
      for (const k of cache.keys()) if (!k.startsWith(`${epoch}:`)) cache.delete(k);
      const leaves = await leavesOf(ctx, epoch, tree);
      cache.set(
        key,
        leaves.size
          ? buildCumulativeTree([...leaves].map(([account, amount]) => ({ account, amount })))
          : undefined,
      );
    }
    return cache.get(key);
  }

  /** The latest finalized epoch on chain, checked against this node's row of it. */
  async function finalized(): Promise<{ epoch: number; chargesRoot: Hex; rewardsRoot: Hex }> {
    const record = await getFinalizedEpoch(chain.sdk);
    if (record.epoch === 0n) {
      throw new ApiError(
        404,
        "NO_FINALIZED_EPOCH",
        "no epoch has been finalized on chain yet",
        "Close an epoch (POST /v1/epochs/close) and finalize it after its challenge window.",
      );
    }
    const epoch = Number(record.epoch);
    const row = await ctx.db
      .selectFrom("epochs")
      .select(["rewards_root", "charges_root"])
      .where("epoch", "=", epoch)
      .executeTakeFirst();
    if (!row || row.rewards_root !== record.rewardsRoot || row.charges_root !== record.chargesRoot) {
      throw new ApiError(
        404,
        "EPOCH_NOT_BUILT_HERE",
        `the finalized epoch ${epoch} was not built by this node`,
        "Ask the node that closed it (its bundle names the trees' leaves).",
      );
    }
    return { epoch, chargesRoot: record.chargesRoot, rewardsRoot: record.rewardsRoot };
  }

  return {
    finalized,
    treeOf,
    /** The proof of `account` in the latest finalized `tree`; 404 `NO_LEAF` when it has none. */
    async proofOf(account: Address, tree: "rewards" | "charges"): Promise<AccountProof> {
      const f = await finalized();
      const t = await treeOf(f.epoch, tree);
      const amount = t?.amountOf(account);
      if (!t || amount === undefined) {
        throw new ApiError(
          404,
          "NO_LEAF",
          tree === "rewards"
            ? `${account} has no leaf in the rewards tree of epoch ${f.epoch}: no receipt up to that epoch paid it`
            : `${account} has no leaf in the charges tree of epoch ${f.epoch}: it had not deposited when that epoch was cut`,
          tree === "rewards"
            ? "Only accounts paid by a receipt of a finalized epoch have rewards; check GET /v1/accounts/:address/earnings."
            : 'A payer gets a charges leaf in the first epoch cut after its deposit (every depositor has one, charged or not). Withdrawing needs such a report finalized: the operator closes one (POST /v1/epochs/close, with { "allowEmpty": true } when no receipt waits), then anyone finalizes it after its challenge window.',
        );
      }
      return {
        account: getAddress(account),
        tree,
        epoch: f.epoch,
        root: t.root,
        cumulativeAmount: amount,
        proof: t.proofOf(account),
      };
    },
  };
}

export type ProofService = ReturnType<typeof createProofService>;
