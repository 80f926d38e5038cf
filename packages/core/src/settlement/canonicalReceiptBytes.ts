import type { Hex } from "viem";
import { canonicalJson } from "../attribution/canonicalJson.ts";
import { BPS_TOTAL, checkAddress, checkAmount, checkBps, checkTokenCount, MAX_UINT128 } from "./checks.ts";
import { fail } from "./errors.ts";
import { RECEIPT_VERSION, type Receipt } from "./receipt.ts";

const HEX32 = /^0x[0-9a-fA-F]{64}$/;
const ROLES = new Set(["protocol", "owner", "agent", "contributor"]);

function hex32(name: string, value: Hex): string {
  if (typeof value !== "string" || !HEX32.test(value)) {
    fail(
      "INVALID_RECEIPT",
      `${name} is ${String(value)}, not 32 bytes of hex`,
      `Pass ${name} as 0x + 64 hex digits.`,
    );
  }
  return value.toLowerCase();
}

function uint(name: string, value: bigint): bigint {
  if (typeof value !== "bigint" || value < 0n) {
    fail(
      "INVALID_RECEIPT",
      `${name} is ${String(value)}, not a bigint >= 0`,
      "Ids are non-negative bigints.",
    );
  }
  return value;
}

function address(name: string, value: string): string {
  checkAddress(name, value as Hex);
  return value.toLowerCase();
}

/**
 * Checks a receipt's shape and returns its plain-JSON form: addresses and hashes in lower case, bigints as
 * decimal strings (by `canonicalJson`), numbers as safe integers, optional `agentId` omitted when absent.
 * Throws `INVALID_RECEIPT` (or a more precise code) when a field can never be valid; it does not check that
 * the amounts are right (that is `verifyEpoch`'s job), only that `charged` equals the sum of the parts.
 *
 * @example
 * receiptToJson(receipt).payer; // "0x000000000000000000000000000000000000beef" (lower case)
 */
export function receiptToJson(receipt: Receipt): Record<string, unknown> {
  if (receipt.version !== RECEIPT_VERSION) {
    fail(
      "INVALID_RECEIPT",
      `receipt version ${String(receipt.version)} is not ${RECEIPT_VERSION}`,
      "Upgrade.",
    );
  }
  checkTokenCount("inputTokens", receipt.inputTokens);
  checkTokenCount("outputTokens", receipt.outputTokens);
  checkAmount("pricing.perCall", receipt.pricing.perCall, MAX_UINT128);
  checkAmount("pricing.per1kOutputTokens", receipt.pricing.per1kOutputTokens, MAX_UINT128);
  checkAmount("pricing.per1kInputTokens", receipt.pricing.per1kInputTokens, MAX_UINT128);
  checkBps("split.ownerBps", receipt.split.ownerBps);
  checkBps("split.dataBps", receipt.split.dataBps);
  if (receipt.split.ownerBps + receipt.split.dataBps !== BPS_TOTAL) {
    fail("INVALID_SPLIT", "receipt split does not sum to 10000", "Record the model's split unchanged.");
  }
  checkBps("protocolFeeBps", receipt.protocolFeeBps);
  checkBps("agentFeeBps", receipt.agentFeeBps);
  checkAmount("price", receipt.price);
  checkAmount("agentFee", receipt.agentFee);
  checkAmount("charged", receipt.charged);
  if (!Number.isSafeInteger(receipt.timestamp) || receipt.timestamp < 0) {
    fail(
      "INVALID_RECEIPT",
      `timestamp ${receipt.timestamp} is not unix seconds`,
      "Use Math.floor(Date.now() / 1000).",
    );
  }
  let sum = 0n;
  const parts = receipt.parts.map((p, i) => {
    if (!ROLES.has(p.role)) fail("INVALID_RECEIPT", `part ${i} has role ${String(p.role)}`, "See FeeRole.");
    checkAmount(`parts[${i}].amount`, p.amount);
    if ((p.role === "contributor") !== (p.contributionId !== undefined)) {
      fail(
        "INVALID_RECEIPT",
        `part ${i}: only contributor parts carry a contributionId`,
        "Use splitFee's parts.",
      );
    }
    sum += p.amount;
    return {
      role: p.role,
      account: address(`parts[${i}].account`, p.account),
      amount: p.amount,
      contributionId:
        p.contributionId === undefined ? undefined : uint(`parts[${i}].contributionId`, p.contributionId),
    };
  });
  if (sum !== receipt.charged) {
    fail(
      "RECEIPT_UNBALANCED",
      `receipt ${receipt.id}: parts sum to ${sum}, charged is ${receipt.charged}`,
      "Use splitFee's result unchanged.",
    );
  }
  const a = receipt.attribution;
  if (typeof a.algorithm !== "string" || a.algorithm.length === 0) {
    fail(
      "INVALID_RECEIPT",
      "attribution.algorithm is empty",
      "Name the attribution algorithm, e.g. span-v1.",
    );
  }
  for (const [k, v] of Object.entries(a.params)) {
    if (!(typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v)))) {
      fail(
        "INVALID_RECEIPT",
        `attribution.params.${k} is ${String(v)}`,
        "Params are strings, finite numbers or booleans.",
      );
    }
  }
  return {
    version: receipt.version,
    id: hex32("id", receipt.id),
    payer: address("payer", receipt.payer),
    modelId: uint("modelId", receipt.modelId),
    agentId: receipt.agentId === undefined ? undefined : uint("agentId", receipt.agentId),
    datanetVersions: receipt.datanetVersions.map((v, i) => ({
      datanetId: uint(`datanetVersions[${i}].datanetId`, v.datanetId),
      version: uint(`datanetVersions[${i}].version`, v.version),
    })),
    inputHash: hex32("inputHash", receipt.inputHash),
    outputHash: hex32("outputHash", receipt.outputHash),
    inputTokens: receipt.inputTokens,
    outputTokens: receipt.outputTokens,
    pricing: {
      perCall: receipt.pricing.perCall,
      per1kOutputTokens: receipt.pricing.per1kOutputTokens,
      per1kInputTokens: receipt.pricing.per1kInputTokens,
    },
    split: { ownerBps: receipt.split.ownerBps, dataBps: receipt.split.dataBps },
    protocolFeeBps: receipt.protocolFeeBps,
    agentFeeBps: receipt.agentFeeBps,
    price: receipt.price,
    agentFee: receipt.agentFee,
    charged: receipt.charged,
    parts,
    attribution: {
      algorithm: a.algorithm,
      params: { ...a.params },
      contributions: a.contributions.map((s, i) => {
        if (!Number.isSafeInteger(s.ppm) || s.ppm < 0) {
          fail(
            "INVALID_RECEIPT",
            `attribution.contributions[${i}].ppm is ${s.ppm}`,
            "ppm are integers >= 0.",
          );
        }
        return {
          contributionId: uint(`attribution.contributions[${i}].contributionId`, s.contributionId),
          ppm: s.ppm,
        };
      }),
    },
    timestamp: receipt.timestamp,
    node: address("node", receipt.node),
  };
}

const encoder = new TextEncoder();

/**
 * The canonical bytes of a receipt, which its hash and signature cover: UTF-8 of canonical JSON (object
 * keys sorted by UTF-16 code unit, no whitespace, bigints as decimal strings, numbers as ECMAScript prints
 * them, absent optional fields omitted; RFC 8785 for this value set), with addresses and 32-byte hashes in
 * lower-case hex. Arrays keep their order. docs/settlement-core.md lists every field.
 *
 * @throws {SettlementError} `INVALID_RECEIPT`, `RECEIPT_UNBALANCED` and the field checks' codes on a
 * malformed receipt.
 * @example
 * const bytes = canonicalReceiptBytes(receipt);
 * new TextDecoder().decode(bytes); // '{"agentFee":"0","attribution":{...},...,"version":1}'
 */
export function canonicalReceiptBytes(receipt: Receipt): Uint8Array {
  return encoder.encode(canonicalJson(receiptToJson(receipt)));
}
