import { bytesToHex, type Hex } from "viem";
import { keccak256 as keccak_256 } from "../keccak.ts";
import { canonicalReceiptBytes } from "./canonicalReceiptBytes.ts";
import type { Receipt } from "./receipt.ts";

/**
 * `keccak256(canonicalReceiptBytes(receipt))`: the receipt's content hash, which the node signs and the
 * epoch's receipts root commits to.
 *
 * @example
 * const hash = receiptHash(receipt); // 0x…32 bytes
 */
export function receiptHash(receipt: Receipt): Hex {
  return bytesToHex(keccak_256(canonicalReceiptBytes(receipt)));
}
