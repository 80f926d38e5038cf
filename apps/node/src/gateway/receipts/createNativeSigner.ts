import { createRequire } from "node:module";
import { dirname } from "node:path";
import { toLowS } from "@tributary/core";
import { bytesToHex, type Hex, hexToBytes } from "viem";

type NativeSecp256k1 = {
  ecdsaSign(digest: Uint8Array, key: Uint8Array): { signature: Uint8Array; recid: number };
};

/**
 * Signs 32-byte digests with libsecp256k1 (the secp256k1 package's prebuilt N-API binding, not its JavaScript
 * fallback) on the calling thread: RFC 6979, low s, `r‖s‖v` with v = 27 + recovery id — the signature viem's local
 * account makes, ten times faster. Undefined when the binding does not load (callers then sign with viem).
 * Used where receipts are signed on the event loop (the PostgreSQL receipt store).
 *
 * @example
 * const sign = createNativeSigner(privateKey);
 * const signature = sign?.(digest);
 */
export function createNativeSigner(privateKey: Hex): ((digest: Hex) => Hex) | undefined {
  let native: NativeSecp256k1;
  try {
    const require = createRequire(import.meta.url);
    native = require(`${dirname(require.resolve("secp256k1/package.json"))}/bindings.js`) as NativeSecp256k1;
  } catch {
    return undefined;
  }
  const key = hexToBytes(privateKey);
  return (digest) => {
    const { signature, recid } = native.ecdsaSign(hexToBytes(digest), key);
    return toLowS(`${bytesToHex(signature)}${(27 + recid).toString(16)}` as Hex);
  };
}
