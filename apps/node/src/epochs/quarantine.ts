import type { EpochDifference } from "@tributary/core";
import { sql } from "kysely";
import type { Hex } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import type { EpochRow, ReceiptQuarantineRow } from "../db/schema.ts";
import { CUT_STATE, getEpochRow, receiptRange } from "./epochRecords.ts";
import { failpoint } from "./failpoint.ts";

/** A receipt an epoch left out, as `GET /v1/epochs/:epoch` shows it. */
export type QuarantinedReceipt = { receiptId: Hex; reason: string; quarantinedAt: string };

/** Longest reason kept per receipt (the first differences; a receipt can differ in many fields). */
const MAX_REASON = 1000;

/**
 * The receipts named by a verification's differences, each with its reasons (`field: expected …, got …`);
 * differences that name no receipt (trees, header) are not receipts' fault and are left out.
 *
 * @example
 * badReceiptsOf(verification.differences); // Map { "0xab…" => "inputHash: expected 0x…, got 0x…" }
 */
export function badReceiptsOf(differences: readonly EpochDifference[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of differences) {
    if (!d.receiptId) continue;
    const id = d.receiptId.toLowerCase();
    const line = `${d.field}: expected ${d.expected}, got ${d.actual}`;
    const before = out.get(id);
    out.set(id, (before ? `${before}; ${line}` : line).slice(0, MAX_REASON));
  }
  return out;
}

/** The `rowid`s of the quarantined receipts in `(from, to]`: the bundle skips them. */
export async function quarantinedRowids(
  ctx: Pick<NodeContext, "db">,
  range: { from: number; to: number },
): Promise<Set<number>> {
  const rows = await ctx.db
    .selectFrom("receipt_quarantine")
    .select("receipt_rowid")
    .where("receipt_rowid", ">", range.from)
    .where("receipt_rowid", "<=", range.to)
    .execute();
  return new Set(rows.map((r) => r.receipt_rowid));
}

/** The receipts quarantined out of `epoch`'s range, oldest first. */
export async function quarantinedIn(
  ctx: Pick<NodeContext, "db">,
  epoch: number,
): Promise<QuarantinedReceipt[]> {
  const range = await receiptRange(ctx, epoch);
  const rows = await ctx.db
    .selectFrom("receipt_quarantine")
    .selectAll()
    .where("receipt_rowid", ">", range.from)
    .where("receipt_rowid", "<=", range.to)
    .orderBy("receipt_rowid")
    .execute();
  return rows.map((r) => ({
    receiptId: r.receipt_id as Hex,
    reason: r.reason,
    quarantinedAt: r.quarantined_at,
  }));
}

/** The quarantine record of one receipt, if it has one. */
export async function quarantineOf(
  ctx: Pick<NodeContext, "db">,
  receiptId: string,
): Promise<ReceiptQuarantineRow | undefined> {
  return ctx.db
    .selectFrom("receipt_quarantine")
    .selectAll()
    .where("receipt_id", "=", receiptId.toLowerCase())
    .executeTakeFirst();
}

/**
 * Takes `bad` receipts (id → reason) out of a bundled epoch that peers refused to co-sign, and re-cuts the same
 * epoch without them, in one transaction: a quarantine row per receipt (durable, with the reason), the
 * receipt's charge given back to its payer's running total (`payer_charges`), the epoch's leaves and earnings
 * deleted and its row back to `cut` (same receipt range). The next `bundleEpoch` skips quarantined receipts, so
 * they are in no tree: the payer is not charged, nobody is paid. A crash before the commit changes nothing (the
 * next close is refused and checked again); after it, the close resumes from `cut` like any other.
 *
 * Receipts not in the epoch's range, or already quarantined, are ignored.
 *
 * @returns the re-cut row and the ids newly quarantined (none: nothing changed, the row is returned as is).
 * @throws {ApiError} 409 `EPOCH_ALREADY_SIGNED` when the epoch is past `bundled` (its report may be on chain).
 */
export async function quarantineAndRecut(
  ctx: NodeContext,
  row: EpochRow,
  bad: ReadonlyMap<string, string>,
): Promise<{ row: EpochRow; quarantined: string[] }> {
  const quarantined: string[] = [];
  /** The payers of the quarantined receipts (charged back). */
  const receiptsOut: string[] = [];
  await ctx.db.transaction().execute(async (trx) => {
    // Write first, so the transaction holds SQLite's write lock before it reads: the gateway's receipt writer
    // (another connection) cannot commit between our read of `payer_charges` and our update of it.
    await trx
      .updateTable("epochs")
      .set({ updated_at: new Date().toISOString() })
      .where("epoch", "=", row.epoch)
      .execute();
    const current = await trx
      .selectFrom("epochs")
      .selectAll()
      .where("epoch", "=", row.epoch)
      .executeTakeFirst();
    if (!current || (current.status !== "bundled" && current.status !== "cut")) {
      throw new ApiError(
        409,
        "EPOCH_ALREADY_SIGNED",
        `epoch ${row.epoch} is ${current?.status ?? "gone"}: its receipts can no longer be quarantined`,
        "Only a bundled epoch that peers refused can be re-cut.",
      );
    }
    const range = await receiptRange({ db: trx }, row.epoch);
    const now = new Date().toISOString();
    for (const [receiptId, reason] of bad) {
      const receipt = await trx
        .selectFrom("receipts")
        .select(["id", sql<number>`rowid`.as("rowid"), "payer", "charged"])
        .where("id", "=", receiptId.toLowerCase())
        .executeTakeFirst();
      if (!receipt || !(receipt.rowid > range.from && receipt.rowid <= range.to)) continue;
      const rowid = receipt.rowid;
      const known = await trx
        .selectFrom("receipt_quarantine")
        .select("receipt_id")
        .where("receipt_id", "=", receipt.id)
        .executeTakeFirst();
      if (known) continue;
      await trx
        .insertInto("receipt_quarantine")
        .values({
          receipt_id: receipt.id,
          receipt_rowid: rowid,
          epoch: row.epoch,
          payer: receipt.payer,
          charged: receipt.charged,
          reason,
          quarantined_at: now,
        })
        .execute();
      const total = await trx
        .selectFrom("payer_charges")
        .select("charged")
        .where("payer", "=", receipt.payer)
        .executeTakeFirst();
      if (total) {
        const left = BigInt(total.charged) - BigInt(receipt.charged);
        await trx
          .updateTable("payer_charges")
          .set({ charged: (left > 0n ? left : 0n).toString(), updated_at: now })
          .where("payer", "=", receipt.payer)
          .execute();
      }
      quarantined.push(receipt.id);
      receiptsOut.push(receipt.payer);
    }
    if (quarantined.length === 0) return;
    await trx.deleteFrom("epoch_leaves").where("epoch", "=", row.epoch).execute();
    await trx.deleteFrom("epoch_earnings").where("epoch", "=", row.epoch).execute();
    await trx
      .updateTable("epochs")
      .set({ ...CUT_STATE, updated_at: now })
      .where("epoch", "=", row.epoch)
      .execute();
  });
  if (quarantined.length === 0) return { row, quarantined };
  // The payers got charges back: the gateway's admission must not keep counting them.
  const refunded = [...new Set(receiptsOut.map((payer) => payer.toLowerCase()))];
  for (const listener of ctx.payerChargesChanged ?? []) listener(refunded);
  failpoint("after-quarantine");
  return { row: (await getEpochRow(ctx, row.epoch)) as EpochRow, quarantined };
}
