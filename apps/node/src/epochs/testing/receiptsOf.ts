import { sql } from "kysely";
import type { TributaryNode } from "../../createNode.ts";
import { receiptRange, settledUpTo } from "../epochRecords.ts";

/**
 * Receipts (id, charged) an epoch took (its range without the receipts quarantined out of it), or with `epoch`
 * undefined, those no epoch took yet.
 */
export async function receiptsOf(
  node: Pick<TributaryNode, "db">,
  epoch?: number,
): Promise<{ id: string; charged: string }[]> {
  const ctx = { db: node.db };
  let q = node.db.selectFrom("receipts").select(["id", "charged"]);
  if (epoch === undefined) {
    q = q.where(sql<number>`rowid`, ">", await settledUpTo(ctx));
  } else {
    const { from, to } = await receiptRange(ctx, epoch);
    q = q
      .where(sql<number>`rowid`, ">", from)
      .where(sql<number>`rowid`, "<=", to)
      .where(sql<number>`rowid`, "not in", node.db.selectFrom("receipt_quarantine").select("receipt_rowid"));
  }
  return q.execute();
}
