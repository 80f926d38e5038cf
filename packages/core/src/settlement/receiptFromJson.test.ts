import { describe, expect, it } from "vitest";
import { canonicalReceiptBytes, receiptToJson } from "./canonicalReceiptBytes.ts";
import { receiptFromJson } from "./receiptFromJson.ts";
import { receiptHash } from "./receiptHash.ts";
import { makeReceipt } from "./testing/receipts.ts";

const PAYER = "0x00000000000000000000000000000000000000aa";
const text = (r: Parameters<typeof canonicalReceiptBytes>[0]) =>
  new TextDecoder().decode(canonicalReceiptBytes(r));

describe("receiptFromJson", () => {
  it("round-trips receipts with and without an agent, keeping the hash", () => {
    for (const agentFeeBps of [0, 250]) {
      const r = makeReceipt({
        n: 3,
        payer: PAYER,
        outputTokens: 17,
        attribution: [
          { contributionId: 2n, ppm: 400_000 },
          { contributionId: 5n, ppm: 600_000 },
        ],
        agentFeeBps,
      });
      const parsed = receiptFromJson(text(r));
      expect(receiptHash(parsed)).toBe(receiptHash(r));
      expect(text(parsed)).toBe(text(r));
      expect(receiptHash(receiptFromJson(receiptToJson(r)))).toBe(receiptHash(r));
    }
  });

  it("refuses non-canonical text, unbalanced parts and malformed fields, naming them", () => {
    const r = makeReceipt({ n: 1, payer: PAYER, outputTokens: 5, attribution: [] });
    const t = text(r);
    expect(() => receiptFromJson(` ${t}`)).toThrow(/canonical/);
    expect(() => receiptFromJson(t.replace('"version":1', '"version":1,"zz":1'))).toThrow(/canonical/);
    const json = JSON.parse(t) as Record<string, unknown>;
    expect(() => receiptFromJson({ ...json, price: 12 })).toThrow(/price is not a decimal string/);
    expect(() => receiptFromJson({ ...json, payer: "0xABC" })).toThrow(/payer/);
    expect(() => receiptFromJson({ ...json, charged: "1" })).toThrow(/parts sum/);
    expect(() => receiptFromJson("{")).toThrow(/not JSON/);
  });
});
