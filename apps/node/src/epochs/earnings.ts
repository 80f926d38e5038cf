import { receiptFromJson } from "@tributary/core";
import { getClaimed } from "@tributary/sdk";
import { sql } from "kysely";
import { type Address, getAddress } from "viem";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import { settledUpTo } from "./epochRecords.ts";

/** An account's earnings as the dashboard shows them (docs/api-epochs.md). Amounts in base units. */
export type Earnings = {
  account: Address;
  claimed: bigint;
  finalized: bigint;
  /** Claimable now: the latest finalized cumulative total minus what was claimed. */
  claimable: bigint;
  /** The cumulative total through the latest submitted report (finalized or not). */
  submitted: bigint;
  /** In a submitted report not finalized yet: `submitted − finalized`, claimable once it is finalized. */
  pending: bigint;
  /** The report `pending` waits on, when there is one: its challenge window end and whether it has passed. */
  pendingEpoch: { epoch: number; challengeEndsAt: number | null; windowOver: boolean } | null;
  unsettled: bigint;
  byDatanet: { datanetId: string; amount: bigint }[];
  byModel: { modelId: string; name: string | null; amount: bigint }[];
  byRole: { role: string; amount: bigint }[];
  history: { epoch: number; amount: bigint; cumulative: bigint; status: string; at: string }[];
};

/**
 * What `account` earned: claimed on chain, claimable now against the latest finalized report, pending in a
 * submitted report not finalized yet (with its window's end), and in receipts no epoch has taken yet; by
 * datanet, model and role; and its cumulative total after each epoch.
 */
export async function earningsOf(ctx: NodeContext, chain: ChainContext, account: Address): Promise<Earnings> {
  const key = account.toLowerCase();
  const claimed = await getClaimed(chain.sdk, { account });
  const epochs = await ctx.db
    .selectFrom("epochs")
    .select(["epoch", "status", "updated_at", "challenge_ends_at"])
    .orderBy("epoch")
    .execute();
  const leaves = await ctx.db
    .selectFrom("epoch_leaves")
    .select(["epoch", "amount"])
    .where("tree", "=", "rewards")
    .where("account", "=", key)
    .execute();
  const cumulativeAt = new Map(leaves.map((l) => [l.epoch, BigInt(l.amount)]));
  let finalized = 0n;
  let submitted = 0n;
  let previous = 0n;
  let waitingOn: { epoch: number; challengeEndsAt: number | null } | undefined;
  const history: Earnings["history"] = [];
  for (const e of epochs) {
    if (e.status === "cut") continue;
    const cumulative = cumulativeAt.get(e.epoch) ?? previous;
    history.push({
      epoch: e.epoch,
      amount: cumulative - previous,
      cumulative,
      status: e.status,
      at: e.updated_at,
    });
    if (e.status === "finalized") finalized = cumulative;
    if (e.status === "submitted" || e.status === "finalized") submitted = cumulative;
    if (e.status === "submitted") waitingOn = { epoch: e.epoch, challengeEndsAt: e.challenge_ends_at };
    previous = cumulative;
  }

  const byDatanet = new Map<string, bigint>();
  const byModel = new Map<string, bigint>();
  const byRole = new Map<string, bigint>();
  const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);
  const settled = await ctx.db
    .selectFrom("epoch_earnings")
    .select(["role", "model_id", "datanet_id", "amount"])
    .where("account", "=", key)
    .execute();
  for (const r of settled) {
    const v = BigInt(r.amount);
    if (r.datanet_id > 0) add(byDatanet, String(r.datanet_id), v);
    add(byModel, String(r.model_id), v);
    add(byRole, r.role, v);
  }
  // Receipts not in any epoch yet: parse those that mention the account.
  let unsettled = 0n;
  const open = await ctx.db
    .selectFrom("receipts")
    .select("receipt_json")
    .where(sql<number>`rowid`, ">", await settledUpTo(ctx))
    .where("receipt_json", "like", `%${key}%`)
    .execute();
  const datanetOf = new Map<string, number>();
  for (const r of open) {
    const receipt = receiptFromJson(r.receipt_json);
    for (const p of receipt.parts) {
      if (p.account.toLowerCase() !== key) continue;
      unsettled += p.amount;
      add(byModel, receipt.modelId.toString(), p.amount);
      add(byRole, p.role, p.amount);
      if (p.contributionId !== undefined) {
        const id = p.contributionId.toString();
        if (!datanetOf.has(id)) {
          const c = await ctx.db
            .selectFrom("contributions")
            .select("datanet_id")
            .where("id", "=", Number(id))
            .executeTakeFirst();
          datanetOf.set(id, c?.datanet_id ?? 0);
        }
        const d = datanetOf.get(id) as number;
        if (d > 0) add(byDatanet, String(d), p.amount);
      }
    }
  }
  const names = new Map(
    (await ctx.db.selectFrom("models").select(["model_id", "name"]).execute()).map((m) => [
      String(m.model_id),
      m.name,
    ]),
  );
  let pendingEpoch: Earnings["pendingEpoch"] = null;
  if (waitingOn && submitted > finalized) {
    // The chain's clock decides (an idle local chain mines no block, so take the later of it and the wall clock).
    const block = await chain.publicClient.getBlock({ blockTag: "latest" });
    const now = Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000));
    pendingEpoch = { ...waitingOn, windowOver: now >= (waitingOn.challengeEndsAt ?? 0) };
  }
  const sorted = (m: Map<string, bigint>) => [...m].sort((a, b) => (a[1] > b[1] ? -1 : a[1] < b[1] ? 1 : 0));
  return {
    account: getAddress(account),
    claimed,
    finalized,
    claimable: finalized > claimed ? finalized - claimed : 0n,
    submitted,
    pending: submitted - finalized,
    pendingEpoch,
    unsettled,
    byDatanet: sorted(byDatanet).map(([datanetId, amount]) => ({ datanetId, amount })),
    byModel: sorted(byModel).map(([modelId, amount]) => ({
      modelId,
      name: names.get(modelId) ?? null,
      amount,
    })),
    byRole: sorted(byRole).map(([role, amount]) => ({ role, amount })),
    history,
  };
}
