import { rmSync } from "node:fs";
import { join } from "node:path";
import { createEpochAggregator, type FeePart } from "@tributary/core";
import { sql } from "kysely";
import type { Hex } from "viem";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import type { EpochRow } from "../db/schema.ts";
import { createBundleWriter } from "./bundle.ts";
import { listDepositors } from "./chainReads.ts";
import { getEpochRow, leavesOf, receiptRange } from "./epochRecords.ts";
import { failpoint } from "./failpoint.ts";
import { moneyOf } from "./moneyOf.ts";
import { quarantinedRowids } from "./quarantine.ts";

/**
 * Receipts read from the database per query (keyset pages: no long-lived cursor blocks the gateway).
 * Crash tests set `TRIBUTARY_BUNDLE_PAGE` small to die between two pages.
 */
const PAGE = Number(process.env.TRIBUTARY_BUNDLE_PAGE ?? 5_000);

/** Progress of a bundle being written. */
export type BundleProgress = { receipts: number };

/**
 * Step 2 of a close: streams the epoch's receipts (in the order they were served) through the aggregator
 * and into the bundle file, then stores the bundle in the content store and, in one transaction, the trees'
 * leaves, the earnings by model and datanet, the roots and totals (`bundled`). Deterministic: running it
 * again after a crash writes the same bytes (the same CID) and the same rows.
 */
export async function bundleEpoch(
  ctx: NodeContext,
  chain: ChainContext,
  row: EpochRow,
  onProgress?: (p: BundleProgress) => void,
): Promise<EpochRow> {
  const { epoch } = row;
  const previous = {
    charges: await leavesOf(ctx, row.previous_epoch, "charges"),
    rewards: await leavesOf(ctx, row.previous_epoch, "rewards"),
  };
  const previousRow = row.previous_epoch > 0 ? await getEpochRow(ctx, row.previous_epoch) : undefined;
  const payers = await listDepositors(chain, BigInt(row.payers_block));
  const aggregator = createEpochAggregator({ previous });
  const path = join(ctx.store.tmpDir, `epoch-${epoch}-${process.pid}.ndjson`);
  const writer = createBundleWriter(path);
  await writer.header({
    chainId: chain.chainId,
    settlement: chain.deployment.contracts.settlement,
    epoch: String(epoch),
    previousEpoch: String(row.previous_epoch),
    previousBundleCid: previousRow?.bundle_cid ?? "",
    payersBlock: row.payers_block,
  });

  // contribution id → datanet id, for earnings by datanet (memory grows with contributions, not receipts).
  const datanetOf = new Map<bigint, number>();
  for (const c of await ctx.db.selectFrom("contributions").select(["id", "datanet_id"]).execute()) {
    datanetOf.set(BigInt(c.id), c.datanet_id);
  }
  const earnings = new Map<string, bigint>();
  const datanetFor = (part: FeePart): number =>
    part.contributionId === undefined ? 0 : (datanetOf.get(part.contributionId) ?? 0);

  const range = await receiptRange(ctx, epoch);
  // Receipts quarantined out of this range (they failed verification) are in no tree and no bundle.
  const quarantined = await quarantinedRowids(ctx, range);
  let after = range.from;
  let count = 0;
  let charged = 0n;
  for (;;) {
    const rows = await ctx.db
      .selectFrom("receipts")
      .select([
        sql<number>`rowid`.as("rowid"),
        "id",
        "payer",
        "model_id",
        "price",
        "charged",
        "receipt_json",
        "hash",
        "signature",
        "input",
        "output",
      ])
      .where(sql<number>`rowid`, ">", after)
      .where(sql<number>`rowid`, "<=", range.to)
      .orderBy(sql`rowid`)
      .limit(PAGE)
      .execute();
    if (rows.length === 0) break;
    for (const r of rows) {
      if (quarantined.has(r.rowid)) continue;
      const receipt = moneyOf(r);
      aggregator.add(receipt, r.hash as Hex);
      charged += receipt.charged;
      for (const part of receipt.parts) {
        const key = `${part.account}|${part.role}|${receipt.modelId}|${datanetFor(part)}`; // lower case already
        earnings.set(key, (earnings.get(key) ?? 0n) + part.amount);
      }
      await writer.receipt({
        receiptJson: r.receipt_json,
        hash: r.hash,
        signature: r.signature,
        input: r.input ?? "",
        output: r.output,
      });
      count++;
    }
    after = rows[rows.length - 1]!.rowid;
    onProgress?.({ receipts: count });
    if (rows.length === PAGE) failpoint("mid-bundle");
  }
  const result = aggregator.finish({ payers });
  for (const p of payers) await writer.payer(p);
  for (const [account, amount] of result.charges) await writer.leaf("charge", account, amount);
  for (const [account, amount] of result.rewards) await writer.leaf("reward", account, amount);
  await writer.report({
    epoch: String(epoch),
    chargesRoot: result.chargesRoot,
    rewardsRoot: result.rewardsRoot,
    cumulativeCharged: result.cumulativeCharged.toString(),
    cumulativeRewards: result.cumulativeRewards.toString(),
    receiptsRoot: result.receiptsRoot,
    receiptCount: count,
    epochCharged: charged.toString(),
  });
  await writer.close();
  failpoint("after-bundle-file");
  let cid: string;
  try {
    ({ cid } = await ctx.store.putFile(path));
  } finally {
    rmSync(path, { force: true });
  }

  await ctx.db.transaction().execute(async (trx) => {
    await trx.deleteFrom("epoch_leaves").where("epoch", "=", epoch).execute();
    await trx.deleteFrom("epoch_earnings").where("epoch", "=", epoch).execute();
    const leaves = [
      ...[...result.charges].map(([account, amount]) => ({ tree: "charges" as const, account, amount })),
      ...[...result.rewards].map(([account, amount]) => ({ tree: "rewards" as const, account, amount })),
    ];
    for (let i = 0; i < leaves.length; i += 500) {
      await trx
        .insertInto("epoch_leaves")
        .values(
          leaves.slice(i, i + 500).map((l) => ({
            epoch,
            tree: l.tree,
            account: l.account.toLowerCase(),
            amount: l.amount.toString(),
          })),
        )
        .execute();
    }
    const rows = [...earnings].map(([key, amount]) => {
      const [account, role, modelId, datanetId] = key.split("|") as [string, string, string, string];
      return {
        epoch,
        account,
        role,
        model_id: Number(modelId),
        datanet_id: Number(datanetId),
        amount: amount.toString(),
      };
    });
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto("epoch_earnings")
        .values(rows.slice(i, i + 500))
        .execute();
    }
    await trx
      .updateTable("epochs")
      .set({
        status: "bundled",
        receipt_count: count,
        epoch_charged: charged.toString(),
        cumulative_charged: result.cumulativeCharged.toString(),
        cumulative_rewards: result.cumulativeRewards.toString(),
        charges_root: result.chargesRoot,
        rewards_root: result.rewardsRoot,
        receipts_root: result.receiptsRoot,
        bundle_cid: cid,
        updated_at: new Date().toISOString(),
      })
      .where("epoch", "=", epoch)
      .execute();
  });
  failpoint("after-bundle");
  return (await getEpochRow(ctx, epoch)) as EpochRow;
}
