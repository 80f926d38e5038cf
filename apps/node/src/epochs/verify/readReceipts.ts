import { createHash } from "node:crypto";
import {
  type Receipt,
  receiptFromJson,
  receiptHash,
  receiptSignatureProblem,
  type Tokenizer,
} from "@tributary/core";
import { type Address, getAddress, type Hex } from "viem";
import { BundleFormatError, type BundleLine, type BundleReportLine } from "../bundle.ts";
import type { Differences } from "./differences.ts";

const sha256 = (s: string): Hex => `0x${createHash("sha256").update(s, "utf8").digest("hex")}`;

/** The lines after the receipts: what the node serves proofs from. */
export type BundleTail = {
  payers: string[];
  charges: { account: Address; amount: bigint }[];
  rewards: { account: Address; amount: bigint }[];
  report: BundleReportLine | undefined;
};

/** What {@link readReceipts} gives: the receipts to recompute, and what it saw while reading. */
export type ReceiptReader = {
  /** The bundle's receipts, each checked on its own (canonical form, hash, signature, texts, input tokens). */
  receipts: AsyncGenerator<Receipt>;
  /** The input and output of the receipt last yielded. */
  texts(): { input: string; output: string };
  /** Receipt lines read so far. */
  count(): number;
  /** The lines after the receipts, filled once `receipts` is done. */
  tail: BundleTail;
};

/**
 * Step 3: reads the receipt lines after the header and checks what each says about itself: its canonical form,
 * its hash, the node's signature (low-s), the hashes of its input and output, and its input tokens recounted
 * with `tokenizer`. A receipt that is not canonical is a difference and is skipped; the others are yielded for
 * `verifyEpoch` to reprice and re-attribute. The lines after the receipts (payers, leaves, report) land in
 * `tail`.
 *
 * @throws {BundleFormatError} past `maxReceipts` receipts.
 */
export function readReceipts(
  iterator: AsyncIterator<BundleLine>,
  options: {
    tokenizer: Tokenizer;
    maxReceipts?: number | undefined;
    /** Called after every 100th receipt read (progress). */
    onReceipt?: (count: number) => void;
  },
  differences: Differences,
): ReceiptReader {
  const diff = differences.add;
  const tail: BundleTail = { payers: [], charges: [], rewards: [], report: undefined };
  let receiptCount = 0;
  let current: { input: string; output: string } | undefined;

  async function* receipts(): AsyncGenerator<Receipt> {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const line = next.value;
      if (line.type !== "receipt") {
        // The rest of the bundle: payers, leaves, report.
        let l: BundleLine | undefined = line;
        while (l) {
          if (l.type === "payer") tail.payers.push(l.account.toLowerCase());
          if (l.type === "charge")
            tail.charges.push({ account: getAddress(l.account), amount: BigInt(l.amount) });
          if (l.type === "reward")
            tail.rewards.push({ account: getAddress(l.account), amount: BigInt(l.amount) });
          if (l.type === "report") tail.report = l;
          const n = await iterator.next();
          l = n.done ? undefined : n.value;
        }
        return;
      }
      receiptCount++;
      if (receiptCount % 100 === 0) options.onReceipt?.(receiptCount);
      if (options.maxReceipts !== undefined && receiptCount > options.maxReceipts) {
        throw new BundleFormatError(
          receiptCount + 1,
          `more receipts than the ${options.maxReceipts} the request announced`,
        );
      }
      let receipt: Receipt;
      try {
        receipt = receiptFromJson(line.receipt);
      } catch (error) {
        const id = typeof line.receipt?.id === "string" ? (line.receipt.id as Hex) : undefined;
        diff({
          ...(id ? { receiptId: id } : {}),
          field: "receipt",
          expected: "a canonical receipt",
          actual: error instanceof Error ? error.message : String(error),
        });
        continue;
      }
      const hash = receiptHash(receipt);
      if (hash !== line.hash)
        diff({ receiptId: receipt.id, field: "hash", expected: hash, actual: line.hash });
      const problem = await receiptSignatureProblem(receipt, line.signature, receipt.node);
      if (problem) {
        diff({
          receiptId: receipt.id,
          field: "signature",
          expected:
            problem === "HIGH_S_SIGNATURE" ? "a low-s signature (s <= n/2)" : `signed by ${receipt.node}`,
          actual: `${problem}: ${line.signature}`,
        });
      }
      if (sha256(line.input) !== receipt.inputHash) {
        diff({
          receiptId: receipt.id,
          field: "inputHash",
          expected: sha256(line.input),
          actual: receipt.inputHash,
        });
      }
      // Input tokens are priced: recount them from the input with the receipt's tokenizer.
      const inputTokens = options.tokenizer.encode(line.input).length;
      if (inputTokens !== receipt.inputTokens) {
        diff({
          receiptId: receipt.id,
          field: "inputTokens",
          expected: String(inputTokens),
          actual: String(receipt.inputTokens),
        });
      }
      if (sha256(line.output) !== receipt.outputHash) {
        diff({
          receiptId: receipt.id,
          field: "outputHash",
          expected: sha256(line.output),
          actual: receipt.outputHash,
        });
      }
      current = { input: line.input, output: line.output };
      yield receipt;
    }
  }

  return {
    receipts: receipts(),
    texts: () => current as { input: string; output: string },
    count: () => receiptCount,
    tail,
  };
}
