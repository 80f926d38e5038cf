import type { Hex } from "viem";
import { TributaryError } from "../errors/TributaryError.ts";

/** Order of the secp256k1 group. */
export const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** Largest `s` of a canonical (low-s, EIP-2) signature: `n / 2`. */
export const SECP256K1_HALF_N = SECP256K1_N >> 1n;

/**
 * A 65-byte signature (`r ‖ s ‖ v`) whose `s` is above `n / 2`. For every valid signature `(r, s, v)`,
 * `(r, n - s, v ^ 1)` is valid too and recovers the same address; accepting both lets anyone change a
 * receipt's signature bytes (and whatever was keyed on them) without the key. Receipts carry low-s only.
 */
export class HighSSignatureError extends TributaryError {
  override name = "HighSSignatureError";
  declare readonly code: "HIGH_S_SIGNATURE";
  declare readonly hint: string;
  readonly s: bigint;
  constructor(s: bigint) {
    super(`the signature's s (0x${s.toString(16)}) is above n/2: a malleated (high-s) signature`, {
      code: "HIGH_S_SIGNATURE",
      hint: "Re-sign with a signer that normalizes s (libsecp256k1, noble with lowS, viem all do).",
    });
    this.s = s;
  }
}

/** The `s` of a 65-byte `r ‖ s ‖ v` signature, or undefined when it is not 65 bytes of hex. */
export function signatureS(signature: Hex): bigint | undefined {
  if (!/^0x[0-9a-fA-F]{130}$/.test(signature)) return undefined;
  return BigInt(`0x${signature.slice(66, 130)}`);
}

/**
 * True when `signature` is a 65-byte signature with `0 < s ≤ n / 2` (EIP-2 canonical form).
 *
 * @example
 * if (!isLowS(signature)) throw new HighSSignatureError(signatureS(signature)!);
 */
export function isLowS(signature: Hex): boolean {
  const s = signatureS(signature);
  return s !== undefined && s > 0n && s <= SECP256K1_HALF_N;
}

/**
 * The low-s form of a 65-byte signature: unchanged when `s ≤ n / 2`, else `(r, n - s, v ^ 1)` (the same
 * signer recovers from both). Signers call it so a receipt never leaves the node with a high s.
 *
 * @example
 * const signature = toLowS(await account.sign({ hash }));
 */
export function toLowS(signature: Hex): Hex {
  const s = signatureS(signature);
  if (s === undefined || s <= SECP256K1_HALF_N) return signature;
  const v = Number.parseInt(signature.slice(130, 132), 16);
  const flipped = v === 27 || v === 28 ? 55 - v : v ^ 1;
  return `${signature.slice(0, 66)}${(SECP256K1_N - s).toString(16).padStart(64, "0")}${flipped.toString(16).padStart(2, "0")}` as Hex;
}
