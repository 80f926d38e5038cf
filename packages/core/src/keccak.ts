import jsSha3 from "js-sha3";

/**
 * keccak256 of `data` (Ethereum's hash; not NIST SHA3-256). Backed by js-sha3, about three times faster than
 * @noble/hashes here (4 µs vs 12 µs for a 65-byte Merkle node), which decides the speed of epoch closes and
 * trees of a million leaves. `keccak.test.ts` checks it equals @noble/hashes' keccak_256 on random inputs.
 *
 * @example
 * keccak256(new Uint8Array()); // c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470
 */
export function keccak256(data: Uint8Array): Uint8Array {
  return new Uint8Array(jsSha3.keccak256.arrayBuffer(data));
}
