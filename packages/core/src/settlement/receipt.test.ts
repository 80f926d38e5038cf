import fc from "fast-check";
import { type Hex, keccak256, toBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { canonicalReceiptBytes } from "./canonicalReceiptBytes.ts";
import { SettlementError } from "./errors.ts";
import type { Receipt } from "./receipt.ts";
import { receiptHash } from "./receiptHash.ts";
import { receiptSigningPayload, signReceipt, verifyReceiptSignature } from "./receiptSignature.ts";
import { addr, arbAttribution } from "./testing/fixtures.ts";
import { makeReceipt } from "./testing/receipts.ts";

const receipt = makeReceipt({
  n: 1,
  payer: addr(0xbeef),
  outputTokens: 3,
  attribution: [{ contributionId: 2n, ppm: 1_000_000 }],
  agentFeeBps: 1_000,
});

// Written out by hand from the format in docs/settlement-core.md. Amounts: price = 1000 + ceil(20000 × 3 /
// 1000) = 1060; agentFee = 106; charged 1166; protocol floor(53.0) = 53; owner floor(1007 × 0.3) = 302;
// data 705 to contribution 2 (payout 0x…1002). Keys sorted, addresses lower case, bigints as strings.
const CANONICAL =
  '{"agentFee":"106","agentFeeBps":1000,"agentId":"9","attribution":{"algorithm":"span-v1","contributions":' +
  '[{"contributionId":"2","ppm":1000000}],"params":{"maxCount":64,"minTokens":8}},"charged":"1166",' +
  '"datanetVersions":[{"datanetId":"1","version":"1"}],' +
  '"id":"0x0000000000000000000000000000000000000000000000000000000000abc001",' +
  '"inputHash":"0x0000000000000000000000000000000000000000000000000000000000000003","inputTokens":12,' +
  '"modelId":"1","node":"0x000000000000000000000000000000000000000d",' +
  '"outputHash":"0x0000000000000000000000000000000000000000000000000000000000000004","outputTokens":3,' +
  '"parts":[{"account":"0x0000000000000000000000000000000000000fee","amount":"53","role":"protocol"},' +
  '{"account":"0x000000000000000000000000000000000000000a","amount":"302","role":"owner"},' +
  '{"account":"0x00000000000000000000000000000000000000a9","amount":"106","role":"agent"},' +
  '{"account":"0x0000000000000000000000000000000000001002","amount":"705","contributionId":"2","role":"contributor"}],' +
  '"payer":"0x000000000000000000000000000000000000beef","price":"1060",' +
  '"pricing":{"per1kInputTokens":"0","per1kOutputTokens":"20000","perCall":"1000"},"protocolFeeBps":500,' +
  '"split":{"dataBps":7000,"ownerBps":3000},"timestamp":1700000001,"version":1}';

const nodeKey: Hex = `0x${"11".repeat(32)}`;
const nodeAccount = privateKeyToAccount(nodeKey);

describe("canonicalReceiptBytes and receiptHash (fixed input)", () => {
  it("gives the documented bytes and their keccak256", () => {
    expect(new TextDecoder().decode(canonicalReceiptBytes(receipt))).toBe(CANONICAL);
    expect(receiptHash(receipt)).toBe(keccak256(toBytes(CANONICAL)));
    expect(receiptHash(receipt)).toBe("0xac655857756b857fd620f46229d7bd3cece23f1193ee29106c7f640501a9f583");
  });

  it("omits agentId without an agent and lower-cases every address and hash", () => {
    const upper = { ...receipt, payer: receipt.payer.toUpperCase().replace("0X", "0x") as Hex } as Receipt;
    expect(receiptHash(upper)).toBe(receiptHash(receipt));
    const { agentId: _, ...noAgent } = receipt;
    expect(new TextDecoder().decode(canonicalReceiptBytes(noAgent))).not.toContain("agentId");
  });

  it("refuses malformed receipts with typed errors", () => {
    const code = (r: Receipt) => {
      try {
        canonicalReceiptBytes(r);
      } catch (e) {
        expect(e).toBeInstanceOf(SettlementError);
        return (e as SettlementError).code;
      }
      return "no error";
    };
    expect(code({ ...receipt, id: "0x1234" })).toBe("INVALID_RECEIPT");
    expect(code({ ...receipt, charged: receipt.charged + 1n })).toBe("RECEIPT_UNBALANCED");
    expect(code({ ...receipt, outputTokens: -1 })).toBe("INVALID_TOKEN_COUNT");
    expect(code({ ...receipt, split: { ownerBps: 1, dataBps: 1 } })).toBe("INVALID_SPLIT");
    expect(code({ ...receipt, payer: "0xnope" })).toBe("INVALID_ADDRESS");
    expect(code({ ...receipt, attribution: { ...receipt.attribution, params: { t: Number.NaN } } })).toBe(
      "INVALID_RECEIPT",
    );
  });
});

describe("canonicalReceiptBytes (properties)", () => {
  it("does not depend on key order; any change of a paid figure or the attribution changes the hash", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000 }),
        arbAttribution,
        fc.bigInt({ min: 1n, max: 1n << 64n }),
        (outputTokens, attribution, bump) => {
          const r = makeReceipt({ n: 7, payer: addr(0xbeef), outputTokens, attribution });
          const reordered = Object.fromEntries(Object.entries(r).reverse()) as Receipt;
          expect(receiptHash(reordered)).toBe(receiptHash(r));
          const parts = r.parts.map((p, i) => (i === 0 ? { ...p, amount: p.amount + bump } : p));
          expect(receiptHash({ ...r, parts, charged: r.charged + bump })).not.toBe(receiptHash(r));
          expect(receiptHash({ ...r, outputTokens: outputTokens + 1 })).not.toBe(receiptHash(r));
          if (attribution.length >= 2 && attribution[0]!.ppm > 0) {
            const shifted = attribution.map((s, i) =>
              i === 0 ? { ...s, ppm: s.ppm - 1 } : i === 1 ? { ...s, ppm: s.ppm + 1 } : s,
            );
            expect(receiptHash({ ...r, attribution: { ...r.attribution, contributions: shifted } })).not.toBe(
              receiptHash(r),
            );
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("receipt signatures (EIP-712)", () => {
  const signed = { ...receipt, node: nodeAccount.address };

  it("a node's signature verifies; a changed receipt, another signer or another node does not", async () => {
    const signature = await signReceipt(nodeAccount, signed);
    expect(signature).toBe(await nodeAccount.signTypedData(receiptSigningPayload(signed)));
    expect(await verifyReceiptSignature(signed, signature, nodeAccount.address)).toBe(true);
    expect(
      await verifyReceiptSignature(
        { ...signed, timestamp: signed.timestamp + 1 },
        signature,
        nodeAccount.address,
      ),
    ).toBe(false);
    const other = privateKeyToAccount(`0x${"22".repeat(32)}`);
    expect(await verifyReceiptSignature({ ...signed, node: other.address }, signature, other.address)).toBe(
      false,
    );
    expect(await verifyReceiptSignature(signed, signature, other.address)).toBe(false);
    expect(await verifyReceiptSignature(signed, "0x1234", nodeAccount.address)).toBe(false);
  });

  it("signs the receipt hash under the documented domain", () => {
    expect(receiptSigningPayload(signed)).toEqual({
      domain: { name: "Tributary Receipt", version: "1" },
      types: { Receipt: [{ name: "receiptHash", type: "bytes32" }] },
      primaryType: "Receipt",
      message: { receiptHash: receiptHash(signed) },
    });
  });
});
