import { type AbiParameter, bytesToHex, encodeAbiParameters, type Hex, hexToBytes } from "viem";
import { keccak256 as keccak_256 } from "../keccak.ts";

/**
 * The OpenZeppelin StandardMerkleTree leaf: `keccak256(bytes.concat(keccak256(abi.encode(values))))`.
 * Hashing twice keeps a leaf from ever being mistaken for an inner node (second-preimage safety).
 * The Solidity twin is `contracts/src/libraries/MerkleLeaves.sol`; both are checked against
 * `contracts/test/vectors/merkle.json`.
 *
 * @example
 * standardLeafHash(["address", "uint256"], [account, 10n]);
 */
export function standardLeafHash(types: readonly string[], values: readonly unknown[]): Hex {
  return bytesToHex(standardLeafBytes(types, values));
}

/** {@link standardLeafHash} as bytes, for building large trees without hex round trips. */
export function standardLeafBytes(types: readonly string[], values: readonly unknown[]): Uint8Array {
  const params = types.map((type) => ({ type })) as AbiParameter[];
  const encoded = hexToBytes(encodeAbiParameters(params, values as never));
  return keccak_256(keccak_256(encoded));
}

/** Inner node hash: keccak256 of the two children in ascending byte order (commutative). */
export function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  if (compareBytes(a, b) <= 0) {
    out.set(a, 0);
    out.set(b, 32);
  } else {
    out.set(b, 0);
    out.set(a, 32);
  }
  return keccak_256(out);
}

/** Lexicographic byte comparison. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
