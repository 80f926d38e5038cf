import { type Address, isAddress } from "viem";
import { fail } from "./errors.ts";

/** Basis points in a whole. */
export const BPS_TOTAL = 10_000;

/** Largest value a `uint128` (ModelRegistry pricing fields) holds. */
export const MAX_UINT128 = (1n << 128n) - 1n;

/** Largest value a `uint256` holds. */
export const MAX_UINT256 = (1n << 256n) - 1n;

export function checkBps(name: string, bps: number): void {
  if (!Number.isInteger(bps) || bps < 0 || bps > BPS_TOTAL) {
    fail("INVALID_BPS", `${name} is ${bps}, not an integer in [0, 10000]`, `Pass ${name} in basis points.`);
  }
}

export function checkAmount(name: string, amount: bigint, max = MAX_UINT256): void {
  if (typeof amount !== "bigint" || amount < 0n || amount > max) {
    fail(
      "INVALID_AMOUNT",
      `${name} is ${String(amount)}, not a bigint in [0, ${max}]`,
      "Money is a non-negative bigint in token base units.",
    );
  }
}

export function checkTokenCount(name: string, tokens: number): void {
  if (!Number.isSafeInteger(tokens) || tokens < 0) {
    fail("INVALID_TOKEN_COUNT", `${name} is ${tokens}, not a non-negative safe integer`, "Count tokens.");
  }
}

export function checkAddress(name: string, address: Address): void {
  if (typeof address !== "string" || !isAddress(address, { strict: false })) {
    fail(
      "INVALID_ADDRESS",
      `${name} is ${String(address)}, not an address`,
      "Pass a 0x-prefixed 20-byte address.",
    );
  }
}
