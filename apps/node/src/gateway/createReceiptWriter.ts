import { createRequire } from "node:module";
import { dirname } from "node:path";
import { Worker } from "node:worker_threads";
import { HighSSignatureError, isLowS, receiptDomain, receiptTypes, signatureS } from "@tributary/core";
import { type Hex, hashDomain, keccak256, toHex } from "viem";
import type { ReceiptRow } from "../db/schema.ts";

/**
 * A receipt row and the amount it adds to its payer's running total. With a signing writer, `row.hash` and
 * `row.signature` are left empty and computed by the writer from `row.receipt_json` (the canonical text).
 */
export type ReceiptWrite = { row: ReceiptRow; charge: bigint };

/** What the writer thread needs to sign receipts itself: the node's key and the EIP-712 constants. */
export type ReceiptSigningKey = {
  /** The node's private key (0x-hex, 32 bytes); it never leaves the process. */
  privateKey: Hex;
  /** `hashDomain(receiptDomain)`. */
  domainSeparator: Hex;
  /** `keccak256("Receipt(bytes32 receiptHash)")`. */
  typeHash: Hex;
};

/** EIP-712 domain separator of receipt signatures (`receiptDomain`, `receiptTypes` in core). */
export const RECEIPT_DOMAIN_SEPARATOR: Hex = hashDomain({
  domain: receiptDomain,
  types: {
    EIP712Domain: [
      { name: "name", type: "string" },
      { name: "version", type: "string" },
    ],
    ...receiptTypes,
  },
});

/** Type hash of `Receipt(bytes32 receiptHash)`. */
export const RECEIPT_TYPEHASH: Hex = keccak256(toHex("Receipt(bytes32 receiptHash)"));

/**
 * What the writer thread needs to sign receipts with `privateKey`.
 *
 * @example
 * createReceiptWriter({ path, onCommitted, signer: receiptSigningKey(key) });
 */
export function receiptSigningKey(privateKey: Hex): ReceiptSigningKey {
  return { privateKey, domainSeparator: RECEIPT_DOMAIN_SEPARATOR, typeHash: RECEIPT_TYPEHASH };
}

/** The writer thread's signing implementation: `none` when it does not sign. */
export type ReceiptSignerKind = "libsecp256k1" | "noble" | "none";

/** The secp256k1 package's native binding (not its JS fallback, elliptic), or "" when it is not installed. */
function nativeSecp256k1(require: NodeJS.Require): string {
  try {
    return `${dirname(require.resolve("secp256k1/package.json"))}/bindings.js`;
  } catch {
    return "";
  }
}

/** Writes receipts durably off the event loop. */
export type ReceiptWriter = {
  /**
   * Inserts the receipt and adds its charge to the payer's total in `payer_charges`; resolves once the
   * transaction holding it has committed (fsync'd, synchronous=FULL) and `onCommitted` has run for its batch.
   */
  write(item: ReceiptWrite): Promise<{ hash: Hex; signature: Hex }>;
  /** Batches committed and receipts in them; which secp256k1 implementation signs (once the thread started). */
  stats(): { batches: number; receipts: number; signer?: ReceiptSignerKind };
  /** Finishes pending writes and stops the writer thread. */
  close(): Promise<void>;
};

/** Options of {@link createReceiptWriter}. */
export type CreateReceiptWriterParameters = {
  /** The node's SQLite file (migrated). */
  path: string;
  /** Called with each payer's new total after a batch commits, before the batch's writes resolve. */
  onCommitted(totals: ReadonlyMap<string, bigint>): void;
  /** Largest batch (default 512). */
  maxBatch?: number;
  /** When set, the writer thread hashes and signs each receipt (keccak-256, EIP-712, secp256k1) before inserting it. */
  signer?: ReceiptSigningKey;
  /** Sign with libsecp256k1 when its binding loads (default true); false signs with noble (tests compare both). */
  nativeSecp256k1?: boolean;
};

// The writer thread: plain JavaScript (no TypeScript loader needed in the worker), its own better-sqlite3
// connection with prepared statements; one transaction per batch.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.sqlite);
const db = new Database(workerData.path);
let sign;
let signer = "none";
if (workerData.signer) {
  const { keccak_256 } = require(workerData.sha3);
  const keccak = (bytes) => Buffer.from(keccak_256.arrayBuffer(bytes));
  const hexBytes = (h) => Buffer.from(h.slice(2), "hex");
  const key = hexBytes(workerData.signer.privateKey);
  const domain = hexBytes(workerData.signer.domainSeparator);
  const typeHash = hexBytes(workerData.signer.typeHash);
  const prefix = Buffer.from([0x19, 0x01]);
  // libsecp256k1 (the secp256k1 package's prebuilt N-API binding, 10x faster) when it loads, else noble.
  // Both sign RFC 6979 deterministically with a low s: the same signature for the same digest and key.
  // lowS() enforces it whatever the library does: s > n/2 becomes n - s with the recovery id flipped.
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const hex = (n) => n.toString(16).padStart(64, "0");
  const lowS = (r, s, recid) => {
    if (s > N >> 1n) { s = N - s; recid ^= 1; }
    return hex(r) + hex(s) + (recid ? "1c" : "1b");
  };
  let ecdsa;
  try {
    const native = require(workerData.nativeSecp256k1);
    ecdsa = (digest) => {
      const { signature, recid } = native.ecdsaSign(digest, key);
      const rs = Buffer.from(signature).toString("hex");
      return lowS(BigInt("0x" + rs.slice(0, 64)), BigInt("0x" + rs.slice(64)), recid);
    };
    signer = "libsecp256k1";
  } catch {
    const { secp256k1 } = require(workerData.curves);
    ecdsa = (digest) => {
      const sig = secp256k1.sign(digest, key, { lowS: true });
      return lowS(sig.r, sig.s, sig.recovery);
    };
    signer = "noble";
  }
  sign = (row) => {
    const hash = keccak(Buffer.from(row.receipt_json, "utf8"));
    const struct = keccak(Buffer.concat([typeHash, hash]));
    const digest = keccak(Buffer.concat([prefix, domain, struct]));
    row.hash = "0x" + hash.toString("hex");
    row.signature = "0x" + ecdsa(digest);
  };
}
parentPort.postMessage({ signer });
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.pragma("busy_timeout = 5000");
const insert = db.prepare("insert into receipts (id, payer, model_id, created_at, price, charged, receipt_json, hash, signature, output, input, epoch) values (@id, @payer, @model_id, @created_at, @price, @charged, @receipt_json, @hash, @signature, @output, @input, @epoch)");
const read = db.prepare("select charged from payer_charges where payer = ?");
const upsert = db.prepare("insert into payer_charges (payer, charged, updated_at) values (?, ?, ?) on conflict (payer) do update set charged = excluded.charged, updated_at = excluded.updated_at");
const run = db.transaction((rows, charges) => {
  const add = new Map();
  rows.forEach((row, i) => {
    if (sign) sign(row);
    insert.run(row);
    add.set(row.payer, (add.get(row.payer) ?? 0n) + BigInt(charges[i]));
  });
  const now = new Date().toISOString();
  const totals = [];
  for (const [payer, amount] of add) {
    const r = read.get(payer);
    const total = (r ? BigInt(r.charged) : 0n) + amount;
    upsert.run(payer, total.toString(), now);
    totals.push([payer, total.toString()]);
  }
  return { totals, signed: rows.map((r) => [r.hash, r.signature]) };
});
parentPort.on("message", (m) => {
  if (m.close) { db.close(); parentPort.postMessage({ closed: true }); return; }
  try {
    const { totals, signed } = run(m.rows, m.charges);
    parentPort.postMessage({ seq: m.seq, totals, signed });
  } catch (error) {
    parentPort.postMessage({ seq: m.seq, error: String(error && error.message || error) });
  }
});
`;

/**
 * Durable receipt writer on a worker thread with group commit: receipts arriving while a batch is being
 * committed form the next batch (one transaction, one fsync), so the fsync never blocks the node's event loop
 * and its cost is shared by every receipt of the batch. Each `write` resolves only after its batch committed.
 *
 * @example
 * const writer = createReceiptWriter({ path: join(ctx.dataDir, "node.db"), onCommitted: (t) => ... });
 * await writer.write({ row, charge });
 */
export function createReceiptWriter(params: CreateReceiptWriterParameters): ReceiptWriter {
  const require = createRequire(import.meta.url);
  const fromViem = createRequire(require.resolve("viem"));
  const fromCore = createRequire(require.resolve("@tributary/core"));
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      path: params.path,
      sqlite: require.resolve("better-sqlite3"),
      ...(params.signer
        ? {
            signer: params.signer,
            curves: fromViem.resolve("@noble/curves/secp256k1"),
            sha3: fromCore.resolve("js-sha3"),
            nativeSecp256k1: params.nativeSecp256k1 === false ? "" : nativeSecp256k1(require),
          }
        : {}),
    },
  });
  worker.unref();
  const maxBatch = params.maxBatch ?? 512;
  type Pending = ReceiptWrite & { resolve(v: { hash: Hex; signature: Hex }): void; reject(e: unknown): void };
  let queue: Pending[] = [];
  let inFlight: Pending[] | undefined;
  let seq = 0;
  let failed: Error | undefined;
  const counters = { batches: 0, receipts: 0 };
  let signerKind: ReceiptSignerKind | undefined;
  let closing: (() => void) | undefined;

  const send = () => {
    if (inFlight || queue.length === 0) return;
    inFlight = queue.slice(0, maxBatch);
    queue = queue.slice(inFlight.length);
    worker.ref();
    worker.postMessage({
      seq: ++seq,
      rows: inFlight.map((p) => p.row),
      charges: inFlight.map((p) => p.charge.toString()),
    });
  };

  worker.on(
    "message",
    (m: {
      signer?: string;
      seq?: number;
      totals?: [string, string][];
      signed?: [Hex, Hex][];
      error?: string;
      closed?: boolean;
    }) => {
      if (m.closed) {
        closing?.();
        return;
      }
      if (m.signer !== undefined) {
        signerKind = m.signer as ReceiptSignerKind;
        return;
      }
      const batch = inFlight ?? [];
      inFlight = undefined;
      if (queue.length === 0) worker.unref();
      if (m.error !== undefined) {
        const error = new Error(`the receipt writer could not commit a batch: ${m.error}`);
        for (const p of batch) p.reject(error);
      } else {
        params.onCommitted(new Map((m.totals ?? []).map(([payer, total]) => [payer, BigInt(total)])));
        counters.batches++;
        counters.receipts += batch.length;
        batch.forEach((p, i) => {
          const [hash, signature] = m.signed?.[i] ?? [p.row.hash as Hex, p.row.signature as Hex];
          // The thread normalizes s; a high s here would be a signer bug, and verifiers refuse it.
          if (!isLowS(signature)) p.reject(new HighSSignatureError(signatureS(signature) ?? 0n));
          else p.resolve({ hash, signature });
        });
      }
      send();
    },
  );
  worker.on("error", (error) => {
    failed = error;
    for (const p of [...(inFlight ?? []), ...queue]) p.reject(error);
    inFlight = undefined;
    queue = [];
  });

  return {
    write(item) {
      if (failed) return Promise.reject(failed);
      return new Promise((resolve, reject) => {
        queue.push({ ...item, resolve, reject });
        send();
      });
    },
    stats: () => ({ ...counters, ...(signerKind ? { signer: signerKind } : {}) }),
    async close() {
      while (inFlight || queue.length > 0) await new Promise((r) => setTimeout(r, 5));
      if (failed) return;
      await new Promise<void>((resolve) => {
        closing = resolve;
        worker.ref();
        worker.postMessage({ close: true });
      });
      await worker.terminate();
    },
  };
}
