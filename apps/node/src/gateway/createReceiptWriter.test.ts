import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { receiptDomain, receiptTypes } from "@tributary/core";
import { type Hex, keccak256, toBytes, toHex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { beforeAll, describe, expect, it } from "vitest";
import { createNode } from "../createNode.ts";
import { createReceiptWriter, receiptSigningKey } from "./createReceiptWriter.ts";

/** A receipt text with multi-byte characters (the hash is over its UTF-8 bytes). */
function randomText(i: number): string {
  const words = ["whale", "Pequod", "naïve", "€", "🐋", "\u2028", '"quoted"', "\\"];
  let text = `{"n":${i},"t":"`;
  const n = 1 + (randomBytes(1)[0] as number);
  for (let k = 0; k < n; k++) text += words[(randomBytes(1)[0] as number) % words.length];
  return `${text}"}`;
}

describe("receipt writer: durable group commit, hashes and signatures on its own thread", () => {
  let path: string;
  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "writer-"));
    const node = await createNode({ dataDir }); // migrates node.db
    await node.stop();
    path = join(dataDir, "node.db");
  });

  for (const native of [true, false]) {
    it(`${native ? "libsecp256k1" : "noble"}: every signature equals viem's EIP-712 signature of the receipt hash`, async () => {
      const key = toHex(randomBytes(32));
      const account = privateKeyToAccount(key);
      const totals: Map<string, bigint>[] = [];
      const writer = createReceiptWriter({
        path,
        onCommitted: (t) => totals.push(new Map(t)),
        signer: receiptSigningKey(key),
        nativeSecp256k1: native,
      });
      const payer = `0x${randomBytes(20).toString("hex")}`;
      const rows = Array.from({ length: 64 }, (_, i) => ({
        id: toHex(randomBytes(32)),
        payer,
        model_id: 1,
        created_at: new Date().toISOString(),
        price: "10",
        charged: "10",
        receipt_json: randomText(i),
        hash: "",
        signature: "",
        output: "o",
        input: "i",
        epoch: null,
      }));
      // Concurrent writes: several batches, each one transaction.
      const signed = await Promise.all(rows.map((row) => writer.write({ row: { ...row }, charge: 10n })));
      expect(writer.stats().signer).toBe(native ? "libsecp256k1" : "noble");
      for (const [i, row] of rows.entries()) {
        const hash = keccak256(toBytes(row.receipt_json));
        expect(signed[i]!.hash).toBe(hash);
        const expected = await account.signTypedData({
          domain: receiptDomain,
          types: receiptTypes,
          primaryType: "Receipt",
          message: { receiptHash: hash as Hex },
        });
        expect(signed[i]!.signature, row.receipt_json).toBe(expected);
      }
      expect(totals.at(-1)!.get(payer)).toBe(640n);
      await writer.close();
    });
  }
});
