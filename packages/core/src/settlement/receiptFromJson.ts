import { type Address, getAddress, type Hex } from "viem";
import { canonicalJson } from "../attribution/canonicalJson.ts";
import { receiptToJson } from "./canonicalReceiptBytes.ts";
import { fail } from "./errors.ts";
import type { Receipt } from "./receipt.ts";
import type { FeePart, FeeRole } from "./types.ts";

type Json = Record<string, unknown>;

const obj = (v: unknown, where: string): Json => {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    fail("INVALID_RECEIPT", `${where} is not an object`, "Pass a receipt in canonical JSON form.");
  }
  return v as Json;
};
const arr = (v: unknown, where: string): unknown[] => {
  if (!Array.isArray(v))
    fail("INVALID_RECEIPT", `${where} is not an array`, "Pass a receipt in canonical JSON form.");
  return v as unknown[];
};
const big = (v: unknown, where: string): bigint => {
  if (typeof v === "bigint" && v >= 0n) return v;
  if (typeof v !== "string" || !/^(0|[1-9][0-9]*)$/.test(v)) {
    fail("INVALID_RECEIPT", `${where} is not a decimal string`, "Amounts and ids are decimal strings.");
  }
  return BigInt(v as string);
};
const int = (v: unknown, where: string): number => {
  if (typeof v !== "number" || !Number.isSafeInteger(v)) {
    fail("INVALID_RECEIPT", `${where} is not an integer`, "Counts, bps and timestamps are JSON integers.");
  }
  return v as number;
};
const hex = (v: unknown, where: string): Hex => {
  if (typeof v !== "string" || !/^0x[0-9a-f]{64}$/.test(v)) {
    fail(
      "INVALID_RECEIPT",
      `${where} is not 32 bytes of lower-case hex`,
      "Use the receipt's canonical form.",
    );
  }
  return v as Hex;
};
const addr = (v: unknown, where: string): Address => {
  if (typeof v !== "string" || !/^0x[0-9a-fA-F]{40}$/.test(v)) {
    fail("INVALID_RECEIPT", `${where} is not a lower-case address`, "Use the receipt's canonical form.");
  }
  return getAddress(v as string);
};

/** Options of {@link receiptFromJson}. */
export type ReceiptFromJsonOptions = {
  /**
   * The text comes from this node's own database, written canonical by the gateway: skip the field checks and
   * the canonical round trip (addresses stay lower case). Ten times faster; what an epoch close of a million
   * receipts needs. Never for receipts from elsewhere.
   */
  readonly trusted?: boolean;
};

const B = (v: unknown): bigint => BigInt(v as string);

/** The fast path of {@link receiptFromJson} (no checks; see `trusted`). */
function trustedReceipt(j: Json): Receipt {
  const pricing = j.pricing as Json;
  const split = j.split as Json;
  const attribution = j.attribution as Json;
  return {
    version: 1,
    id: j.id as Hex,
    payer: j.payer as Address,
    modelId: B(j.modelId),
    ...(j.agentId === undefined ? {} : { agentId: B(j.agentId) }),
    datanetVersions: (j.datanetVersions as Json[]).map((v) => ({
      datanetId: B(v.datanetId),
      version: B(v.version),
    })),
    inputHash: j.inputHash as Hex,
    outputHash: j.outputHash as Hex,
    inputTokens: j.inputTokens as number,
    outputTokens: j.outputTokens as number,
    pricing: {
      perCall: B(pricing.perCall),
      per1kOutputTokens: B(pricing.per1kOutputTokens),
      per1kInputTokens: B(pricing.per1kInputTokens),
    },
    split: { ownerBps: split.ownerBps as number, dataBps: split.dataBps as number },
    protocolFeeBps: j.protocolFeeBps as number,
    agentFeeBps: j.agentFeeBps as number,
    price: B(j.price),
    agentFee: B(j.agentFee),
    charged: B(j.charged),
    parts: (j.parts as Json[]).map((p) => ({
      role: p.role as FeeRole,
      account: p.account as Address,
      amount: B(p.amount),
      ...(p.contributionId === undefined ? {} : { contributionId: B(p.contributionId) }),
    })),
    attribution: {
      algorithm: attribution.algorithm as string,
      params: attribution.params as Record<string, string | number | boolean>,
      contributions: (attribution.contributions as Json[]).map((c) => ({
        contributionId: B(c.contributionId),
        ppm: c.ppm as number,
      })),
    },
    timestamp: j.timestamp as number,
    node: j.node as Address,
  };
}

/**
 * Parses a receipt from its canonical JSON (the form `receiptToJson` gives, as bundles and API responses
 * carry it) and checks it is exactly canonical: serializing the result gives back the same text, so its hash
 * and signature are those of the input.
 *
 * @throws {SettlementError} `INVALID_RECEIPT` naming the field, `RECEIPT_NOT_CANONICAL` when the text is
 * not the canonical form of the receipt it decodes to, and `receiptToJson`'s checks (e.g. `RECEIPT_UNBALANCED`).
 * @example
 * const receipt = receiptFromJson(line.receipt); // then verifyReceiptSignature(receipt, line.signature, …)
 */
export function receiptFromJson(input: string | Json, options: ReceiptFromJsonOptions = {}): Receipt {
  if (options.trusted) return trustedReceipt(typeof input === "string" ? (JSON.parse(input) as Json) : input);
  let text: string | undefined;
  let json: Json;
  if (typeof input === "string") {
    text = input;
    try {
      json = obj(JSON.parse(input), "receipt");
    } catch (cause) {
      if (cause instanceof SyntaxError) {
        fail(
          "INVALID_RECEIPT",
          `receipt is not JSON: ${cause.message}`,
          "Pass the receipt's canonical JSON text.",
        );
      }
      throw cause;
    }
  } else {
    json = obj(input, "receipt");
  }
  const pricing = obj(json.pricing, "pricing");
  const split = obj(json.split, "split");
  const attribution = obj(json.attribution, "attribution");
  const receipt: Receipt = {
    version: int(json.version, "version") as 1,
    id: hex(json.id, "id"),
    payer: addr(json.payer, "payer"),
    modelId: big(json.modelId, "modelId"),
    ...(json.agentId === undefined ? {} : { agentId: big(json.agentId, "agentId") }),
    datanetVersions: arr(json.datanetVersions, "datanetVersions").map((v, i) => {
      const o = obj(v, `datanetVersions[${i}]`);
      return {
        datanetId: big(o.datanetId, `datanetVersions[${i}].datanetId`),
        version: big(o.version, `datanetVersions[${i}].version`),
      };
    }),
    inputHash: hex(json.inputHash, "inputHash"),
    outputHash: hex(json.outputHash, "outputHash"),
    inputTokens: int(json.inputTokens, "inputTokens"),
    outputTokens: int(json.outputTokens, "outputTokens"),
    pricing: {
      perCall: big(pricing.perCall, "pricing.perCall"),
      per1kOutputTokens: big(pricing.per1kOutputTokens, "pricing.per1kOutputTokens"),
      per1kInputTokens: big(pricing.per1kInputTokens, "pricing.per1kInputTokens"),
    },
    split: { ownerBps: int(split.ownerBps, "split.ownerBps"), dataBps: int(split.dataBps, "split.dataBps") },
    protocolFeeBps: int(json.protocolFeeBps, "protocolFeeBps"),
    agentFeeBps: int(json.agentFeeBps, "agentFeeBps"),
    price: big(json.price, "price"),
    agentFee: big(json.agentFee, "agentFee"),
    charged: big(json.charged, "charged"),
    parts: arr(json.parts, "parts").map((v, i): FeePart => {
      const o = obj(v, `parts[${i}]`);
      return {
        role: o.role as FeeRole,
        account: addr(o.account, `parts[${i}].account`),
        amount: big(o.amount, `parts[${i}].amount`),
        ...(o.contributionId === undefined
          ? {}
          : { contributionId: big(o.contributionId, `parts[${i}].contributionId`) }),
      };
    }),
    attribution: {
      algorithm: attribution.algorithm as string,
      params: obj(attribution.params, "attribution.params") as Record<string, string | number | boolean>,
      contributions: arr(attribution.contributions, "attribution.contributions").map((v, i) => {
        const o = obj(v, `attribution.contributions[${i}]`);
        return {
          contributionId: big(o.contributionId, `attribution.contributions[${i}].contributionId`),
          ppm: int(o.ppm, `attribution.contributions[${i}].ppm`),
        };
      }),
    },
    timestamp: int(json.timestamp, "timestamp"),
    node: addr(json.node, "node"),
  };
  const canonical = canonicalJson(receiptToJson(receipt));
  if (canonical !== (text ?? canonicalJson(json))) {
    fail(
      "RECEIPT_NOT_CANONICAL",
      `receipt ${receipt.id} is not in canonical form (extra fields, key order or number form differ)`,
      "Pass the receipt exactly as the node serialized it (canonicalReceiptBytes).",
    );
  }
  return receipt;
}
