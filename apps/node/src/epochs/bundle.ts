import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { TributaryError } from "@tributary/core";
import type { Address, Hex } from "viem";

/** `format` of every epoch bundle's header line. */
export const BUNDLE_FORMAT = "tributary-epoch-bundle";
/** Version of the bundle layout. */
export const BUNDLE_VERSION = 1;

/** First line: what the bundle is about. */
export type BundleHeader = {
  type: "header";
  format: typeof BUNDLE_FORMAT;
  version: typeof BUNDLE_VERSION;
  chainId: number;
  /** Settlement address, lower case. */
  settlement: string;
  epoch: string;
  /** The epoch whose cumulative totals this one starts from ("0" for none). */
  previousEpoch: string;
  /** CID of the previous epoch's bundle (its charge and reward lines are the starting totals); "" for none. */
  previousBundleCid: string;
  /** Depositors are listed up to and including this block. */
  payersBlock: number;
};

/** One served inference: the receipt (canonical JSON), its hash and node signature, the prompt and the output. */
export type BundleReceiptLine = {
  type: "receipt";
  receipt: Record<string, unknown>;
  hash: Hex;
  signature: Hex;
  input: string;
  output: string;
};

/** The report the bundle backs (without `bundleURI`, which names the bundle itself). */
export type BundleReportLine = {
  type: "report";
  epoch: string;
  chargesRoot: Hex;
  rewardsRoot: Hex;
  cumulativeCharged: string;
  cumulativeRewards: string;
  receiptsRoot: Hex;
  receiptCount: number;
  epochCharged: string;
};

/** Any line of a bundle. */
export type BundleLine =
  | BundleHeader
  | BundleReceiptLine
  | { type: "payer"; account: string }
  | { type: "charge"; account: string; amount: string }
  | { type: "reward"; account: string; amount: string }
  | BundleReportLine;

const q = JSON.stringify;

/**
 * Writes a bundle as JSON lines, streamed to `path` (memory does not grow with the receipts). Each line is
 * canonical JSON (sorted keys, no spaces), so the same epoch always gives the same bytes and the same CID.
 *
 * Order: header, receipts (epoch order), payers (ascending), charge leaves, reward leaves (tree order),
 * report.
 */
export function createBundleWriter(path: string) {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, "w");
  // Lines are encoded straight into an 8 MB buffer, written with one synchronous call when full: no string
  // concatenation (whose flattening cost more than the encoding), and a close of a million receipts, a batch
  // job, blocks the event loop a few milliseconds per 8 MB at most.
  const buffer = Buffer.allocUnsafe(8 << 20);
  let used = 0;
  let closed = false;

  function writeAll(bytes: Uint8Array, length: number): void {
    for (let at = 0; at < length; ) at += writeSync(fd, bytes, at, length - at);
  }
  function flush(): void {
    if (used > 0) writeAll(buffer, used);
    used = 0;
  }
  async function write(line: string): Promise<void> {
    if (closed) throw new Error("bundle writer is closed");
    const worst = line.length * 3 + 1; // UTF-8 never needs more than 3 bytes per UTF-16 unit
    if (used + worst > buffer.length) flush();
    if (worst > buffer.length) {
      const bytes = Buffer.from(`${line}\n`, "utf8");
      writeAll(bytes, bytes.length);
      return;
    }
    used += buffer.write(line, used, "utf8");
    buffer[used++] = 10;
  }

  return {
    header: (h: Omit<BundleHeader, "type" | "format" | "version">) =>
      write(
        `{"chainId":${h.chainId},"epoch":${q(h.epoch)},"format":"${BUNDLE_FORMAT}","payersBlock":${h.payersBlock},"previousBundleCid":${q(h.previousBundleCid)},"previousEpoch":${q(h.previousEpoch)},"settlement":${q(h.settlement.toLowerCase())},"type":"header","version":${BUNDLE_VERSION}}`,
      ),
    /** `receiptJson` is the receipt's canonical JSON text as stored. */
    receipt: (r: { receiptJson: string; hash: string; signature: string; input: string; output: string }) =>
      write(
        `{"hash":${q(r.hash)},"input":${q(r.input)},"output":${q(r.output)},"receipt":${r.receiptJson},"signature":${q(r.signature)},"type":"receipt"}`,
      ),
    payer: (account: Address) => write(`{"account":${q(account.toLowerCase())},"type":"payer"}`),
    leaf: (type: "charge" | "reward", account: Address, amount: bigint) =>
      write(`{"account":${q(account.toLowerCase())},"amount":"${amount}","type":"${type}"}`),
    report: (r: Omit<BundleReportLine, "type">) =>
      write(
        `{"chargesRoot":${q(r.chargesRoot)},"cumulativeCharged":${q(r.cumulativeCharged)},"cumulativeRewards":${q(r.cumulativeRewards)},"epoch":${q(r.epoch)},"epochCharged":${q(r.epochCharged)},"receiptCount":${r.receiptCount},"receiptsRoot":${q(r.receiptsRoot)},"rewardsRoot":${q(r.rewardsRoot)},"type":"report"}`,
      ),
    async close(): Promise<void> {
      flush();
      closed = true;
      closeSync(fd);
    },
  };
}

/** Error thrown while reading a malformed bundle: names the line. */
export class BundleFormatError extends TributaryError {
  override name = "BundleFormatError";
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`bundle line ${line}: ${message}`, { code: "BUNDLE_FORMAT", details: { line } });
  }
}

/**
 * Reads a bundle line by line from a stream (a file or an HTTP body), checking the layout: a header first,
 * known line types in order, a report last.
 */
export async function* readBundle(input: Readable | NodeJS.ReadableStream): AsyncGenerator<BundleLine> {
  const rl = createInterface({ input: input as Readable, crlfDelay: Number.POSITIVE_INFINITY });
  const order = ["header", "receipt", "payer", "charge", "reward", "report"];
  let stage = -1;
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text === "") continue;
    let line: BundleLine;
    try {
      line = JSON.parse(text) as BundleLine;
    } catch {
      throw new BundleFormatError(n, "not JSON");
    }
    const at = order.indexOf((line as { type?: string }).type ?? "");
    if (at < 0)
      throw new BundleFormatError(n, `unknown line type ${String((line as { type?: unknown }).type)}`);
    if (n === 1 && line.type !== "header") throw new BundleFormatError(n, "the first line is not the header");
    if (line.type === "header") {
      if (n !== 1) throw new BundleFormatError(n, "a second header");
      if (line.format !== BUNDLE_FORMAT || line.version !== BUNDLE_VERSION) {
        throw new BundleFormatError(n, `format ${line.format} v${line.version} is not ${BUNDLE_FORMAT} v1`);
      }
    }
    if (at < stage) throw new BundleFormatError(n, `a ${line.type} line after ${order[stage]} lines`);
    if (stage === order.length - 1) throw new BundleFormatError(n, "a line after the report");
    stage = at;
    yield line;
  }
  if (stage !== order.length - 1) throw new BundleFormatError(n, "the bundle ends before its report line");
}
