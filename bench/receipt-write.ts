/**
 * Receipt write benchmark: where the durable write of one receipt spends its time, one receipt at a time (the
 * sequential case the gateway's overhead figure measures).
 *
 * - `fdatasyncP50Ms`: append 1.5 kB to a file in the node's data directory and fdatasync it (the disk alone);
 * - `writeUnsignedP50Ms`: the receipt writer (worker thread, SQLite WAL, synchronous=FULL) with a pre-signed row;
 * - `writeSignedNobleP50Ms` / `writeSignedNativeP50Ms`: the same writer hashing (keccak-256) and signing
 *   (EIP-712, secp256k1) the receipt on its thread, with noble (JavaScript) or libsecp256k1 (the secp256k1
 *   package's prebuilt binding), which the gateway uses when it loads.
 *
 *   npm run bench:receipt-write [-- --receipts 2000]
 *
 * Prints the figures and writes bench/results/receipt-write.json.
 */
import {
  closeSync,
  fdatasyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { keccak256, toHex } from "viem";
import { createNode } from "../apps/node/src/createNode.ts";
import { createReceiptWriter, receiptSigningKey } from "../apps/node/src/gateway/createReceiptWriter.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg("receipts", 2000);
const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)] as number;
const round = (x: number) => Math.round(x * 1000) / 1000;

const dataDir = mkdtempSync(join(tmpdir(), "receipt-write-"));
const node = await createNode({ dataDir }); // migrates node.db
await node.stop();
const path = join(dataDir, "node.db");
// A receipt's canonical JSON is about 1.5 kB (bench:gateway's receipts: 1.2 to 1.8 kB).
const receiptJson = JSON.stringify({ version: 1, text: "x".repeat(1450) });

const loadStart = loadavg();
const disk: number[] = [];
{
  const fd = openSync(join(dataDir, "fsync.probe"), "w");
  const buf = Buffer.from(receiptJson);
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    writeSync(fd, buf, 0, buf.length, i * buf.length);
    fdatasyncSync(fd);
    disk.push(performance.now() - t);
  }
  closeSync(fd);
}

const signing = receiptSigningKey(keccak256(toHex("bench receipt key")));

async function run(mode: "unsigned" | "noble" | "native"): Promise<{ times: number[]; signer?: string }> {
  const writer = createReceiptWriter({
    path,
    onCommitted() {},
    ...(mode === "unsigned" ? {} : { signer: signing, nativeSecp256k1: mode === "native" }),
  });
  const times: number[] = [];
  for (let i = 0; i < N + 100; i++) {
    const row = {
      id: toHex(`${mode}-${i}`),
      payer: "0x00000000000000000000000000000000000000b1",
      model_id: 1,
      created_at: new Date().toISOString(),
      price: "1000",
      charged: "1000",
      receipt_json: receiptJson,
      hash: mode === "unsigned" ? keccak256(toHex(i)) : "",
      signature: mode === "unsigned" ? `0x${"11".repeat(65)}` : "",
      output: "o".repeat(150),
      input: "i".repeat(100),
      epoch: null,
    };
    const t = performance.now();
    await writer.write({ row, charge: 1000n });
    if (i >= 100) times.push(performance.now() - t); // the first 100 warm the thread and the statements
  }
  const signer = writer.stats().signer;
  await writer.close();
  return { times, ...(signer ? { signer } : {}) };
}

const unsigned = await run("unsigned");
const noble = await run("noble");
const native = await run("native");
const figures = {
  fdatasyncP50Ms: round(p50(disk)),
  writeUnsignedP50Ms: round(p50(unsigned.times)),
  writeSignedNobleP50Ms: round(p50(noble.times)),
  writeSignedNativeP50Ms: round(p50(native.times)),
};
const result = {
  ...figures,
  details: {
    command: "npm run bench:receipt-write",
    at: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadAverage: { start: loadStart.map(round), end: loadavg().map(round) },
    receipts: N,
    receiptJsonBytes: receiptJson.length,
    p95Ms: {
      fdatasync: round(p95(disk)),
      writeUnsigned: round(p95(unsigned.times)),
      writeSignedNoble: round(p95(noble.times)),
      writeSignedNative: round(p95(native.times)),
    },
    nativeSigner: native.signer,
  },
};
console.log(JSON.stringify(result, null, 2));
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "receipt-write.json"), `${JSON.stringify(result, null, 2)}\n`);
rmSync(dataDir, { recursive: true, force: true });
process.exit(0);
