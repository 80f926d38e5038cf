import { existsSync } from "node:fs";
import { join } from "node:path";
import { receiptDomain, receiptTypes, toLowS } from "@tributary/core";
import { type Kysely, sql } from "kysely";
import { bytesToHex, concat, encodeAbiParameters, type Hex, keccak256, type LocalAccount } from "viem";
import type { ChainContext } from "../../context/NodeContext.ts";
import type { Database, ReceiptRow } from "../../db/schema.ts";
import {
  createReceiptWriter,
  RECEIPT_DOMAIN_SEPARATOR,
  RECEIPT_TYPEHASH,
  type ReceiptSigningKey,
  type ReceiptWriter,
  receiptSigningKey,
} from "../createReceiptWriter.ts";
import type { GatewayDeps, GatewayStats } from "../gatewayDeps.ts";
import { createNativeSigner } from "./createNativeSigner.ts";

const MAX_BATCH = 256;

/** Durable, signed receipts. */
export type ReceiptStore = {
  /** Hashes, signs and durably writes the receipt row (with the payer's new total); resolves once committed. */
  writeReceipt(chain: ChainContext, row: ReceiptRow, charge: bigint): Promise<{ hash: Hex; signature: Hex }>;
  /** Batches and receipts committed, and who signs. */
  stats(): GatewayStats;
};

/** EIP-712 digest of a receipt hash under `receiptDomain` / `receiptTypes` (what `signReceipt` signs). */
function receiptDigest(hash: Hex): Hex {
  const struct = keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [RECEIPT_TYPEHASH, hash]),
  );
  return keccak256(concat(["0x1901", RECEIPT_DOMAIN_SEPARATOR, struct]));
}

/** Signs a receipt hash on this thread (the key is not local), always in low-s form (`toLowS`). */
async function sign(chain: ChainContext, hash: Hex): Promise<Hex> {
  const account = chain.walletClient.account as LocalAccount;
  if (typeof account.sign === "function") return toLowS(await account.sign({ hash: receiptDigest(hash) }));
  const signature = await chain.walletClient.signTypedData({
    account,
    domain: receiptDomain,
    types: receiptTypes,
    primaryType: "Receipt",
    message: { receiptHash: hash },
  });
  return toLowS(signature);
}

/**
 * Adds `amounts` to the payers' totals in `payer_charges` on PostgreSQL, in the database's own arithmetic
 * (`numeric`, exact) so that replicas writing receipts of one payer at the same time never lose an update: the
 * upsert locks the payer's row until commit. Payers are taken in sorted order, so two batches never deadlock.
 * Returns the new totals.
 */
async function addCharges(
  trx: Kysely<Database>,
  amounts: ReadonlyMap<string, bigint>,
  now: string,
): Promise<Map<string, bigint>> {
  const totals = new Map<string, bigint>();
  for (const payer of [...amounts.keys()].sort()) {
    const amount = (amounts.get(payer) ?? 0n).toString();
    const { rows } = await sql<{ charged: string }>`
      insert into payer_charges (payer, charged, updated_at) values (${payer}, ${amount}, ${now})
      on conflict (payer) do update
        set charged = (cast(payer_charges.charged as numeric) + cast(excluded.charged as numeric))::text,
            updated_at = excluded.updated_at
      returning charged`.execute(trx);
    totals.set(payer, BigInt(rows[0]?.charged ?? amount));
  }
  return totals;
}

/**
 * Creates the receipt store. Durable receipts: a writer thread with group commit when the database is a file
 * (always, under createNode), which also signs when the node key is local; otherwise the same group commit
 * through Kysely on this thread (always on PostgreSQL, where the upsert of the totals is atomic across replicas).
 * Each batch inserts its receipts and the payers' running totals in one
 * transaction; `onCommitted` gets the new totals after the commit.
 *
 * @example
 * const receipts = createReceiptStore(deps, totals.onCommitted);
 * const { hash, signature } = await receipts.writeReceipt(chain, row, charge);
 */
export function createReceiptStore(
  deps: GatewayDeps,
  onCommitted: (totals: ReadonlyMap<string, bigint>) => void,
): ReceiptStore {
  const { ctx, db, counters } = deps;
  const dbPath = join(ctx.dataDir, "node.db");
  let writer: ReceiptWriter | undefined;
  let writerSigns = false;
  type Pending = { row: ReceiptRow; charge: bigint; resolve: () => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let writing = false;

  /** The node key, when its account exposes it (HD accounts): then the writer thread signs. */
  function signingKey(): ReceiptSigningKey | undefined {
    const account = ctx.chain?.walletClient.account as { getHdKey?: () => { privateKey: Uint8Array | null } };
    const hd = account?.getHdKey?.().privateKey;
    const key = ctx.chain?.privateKey ?? (hd ? bytesToHex(hd) : undefined);
    return key ? receiptSigningKey(key) : undefined;
  }

  // On PostgreSQL the event loop signs (no writer thread): with libsecp256k1 when the node key is local.
  const postgresKey = ctx.dialect === "postgres" ? signingKey()?.privateKey : undefined;
  const nativeSign = postgresKey ? createNativeSigner(postgresKey) : undefined;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      const totals = new Map<string, bigint>();
      try {
        const now = new Date().toISOString();
        await db.transaction().execute(async (trx) => {
          for (let i = 0; i < batch.length; i += 64) {
            await trx
              .insertInto("receipts")
              .values(batch.slice(i, i + 64).map((p) => p.row))
              .execute();
          }
          const add = new Map<string, bigint>();
          for (const p of batch) add.set(p.row.payer, (add.get(p.row.payer) ?? 0n) + p.charge);
          if (ctx.dialect === "postgres") {
            for (const [payer, total] of await addCharges(trx, add, now)) totals.set(payer, total);
            return;
          }
          for (const [payer, amount] of add) {
            const row = await trx
              .selectFrom("payer_charges")
              .select("charged")
              .where("payer", "=", payer)
              .executeTakeFirst();
            const total = (row ? BigInt(row.charged) : 0n) + amount;
            await trx
              .insertInto("payer_charges")
              .values({ payer, charged: total.toString(), updated_at: now })
              .onConflict((oc) =>
                oc.column("payer").doUpdateSet({ charged: total.toString(), updated_at: now }),
              )
              .execute();
            totals.set(payer, total);
          }
        });
        onCommitted(totals);
        counters.batches++;
        counters.receipts += batch.length;
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    writing = false;
  }

  return {
    async writeReceipt(chain, row, charge) {
      // The SQLite file's writer thread; on PostgreSQL the group commit below, through the pool.
      if (ctx.dialect !== "postgres" && existsSync(dbPath)) {
        if (!writer) {
          const signer = signingKey();
          writer = createReceiptWriter({ path: dbPath, onCommitted, ...(signer ? { signer } : {}) });
          writerSigns = signer !== undefined;
        }
        if (writerSigns) return writer.write({ row, charge });
      }
      const hash = keccak256(new TextEncoder().encode(row.receipt_json));
      const signature = nativeSign ? nativeSign(receiptDigest(hash)) : await sign(chain, hash);
      const signedRow = { ...row, hash, signature };
      if (writer) {
        await writer.write({ row: signedRow, charge });
        return { hash, signature };
      }
      await new Promise<void>((resolve, reject) => {
        queue.push({ row: signedRow, charge, resolve, reject });
        if (!writing) {
          writing = true;
          setImmediate(drain);
        }
      });
      return { hash, signature };
    },

    stats() {
      const w = writer?.stats() ?? { batches: 0, receipts: 0 };
      return {
        chainReads: counters.chainReads,
        batches: counters.batches + w.batches,
        receipts: counters.receipts + w.receipts,
        ...(writer ? { receiptSigner: writerSigns ? (w.signer ?? "starting") : "event loop" } : {}),
        ...(nativeSign ? { receiptSigner: "libsecp256k1 (event loop)" } : {}),
      };
    },
  };
}
