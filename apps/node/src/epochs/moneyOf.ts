import type { FeePart, FeeRole, ReceiptMoney } from "@tributary/core";
import type { Address, Hex } from "viem";

const PARTS = '"parts":[';

/**
 * The money of a receipt this node stored (canonical JSON, written by its own gateway): payer, price, agent
 * fee, charge and parts, decoded without parsing the rest of the receipt. Canonical JSON sorts keys and
 * parts hold no arrays, so `"parts":[…]` is one slice. An epoch close of a million receipts spends most of
 * its time in JSON otherwise. Receipts from elsewhere go through `receiptFromJson`.
 */
export function moneyOf(row: {
  id: string;
  payer: string;
  model_id: number;
  price: string;
  charged: string;
  receipt_json: string;
}): ReceiptMoney & { modelId: bigint } {
  const json = row.receipt_json;
  const start = json.indexOf(PARTS);
  const end = json.indexOf("]", start + PARTS.length);
  if (start < 0 || end < 0) throw new Error(`receipt ${row.id}: no parts in its stored JSON`);
  const raw = JSON.parse(json.slice(start + PARTS.length - 1, end + 1)) as {
    role: FeeRole;
    account: string;
    amount: string;
    contributionId?: string;
  }[];
  const parts: FeePart[] = raw.map((p) =>
    p.contributionId === undefined
      ? { role: p.role, account: p.account as Address, amount: BigInt(p.amount) }
      : {
          role: p.role,
          account: p.account as Address,
          amount: BigInt(p.amount),
          contributionId: BigInt(p.contributionId),
        },
  );
  const price = BigInt(row.price);
  const charged = BigInt(row.charged);
  return {
    id: row.id as Hex,
    payer: row.payer as Address,
    price,
    agentFee: charged - price,
    charged,
    parts,
    modelId: BigInt(row.model_id),
  };
}
