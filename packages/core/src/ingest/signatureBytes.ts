import { invalidParameter } from "./errors.ts";

/**
 * A MinHash signature as bytes (each value little-endian, 4 bytes), for a database column or a file; the same
 * bytes on every platform.
 *
 * @example
 * signatureFromBytes(signatureToBytes(sig)); // equal to sig
 */
export function signatureToBytes(signature: Uint32Array): Uint8Array {
  const out = new Uint8Array(signature.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < signature.length; i++) view.setUint32(i * 4, signature[i]!, true);
  return out;
}

/**
 * The inverse of {@link signatureToBytes}. Throws `INVALID_PARAMETER` when the length is not a multiple of 4.
 *
 * @example
 * signatureFromBytes(new Uint8Array([1, 0, 0, 0])); // Uint32Array [1]
 */
export function signatureFromBytes(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0)
    invalidParameter(
      `a signature has a multiple of 4 bytes, got ${bytes.length}`,
      "Pass bytes written by signatureToBytes.",
    );
  const out = new Uint32Array(bytes.length / 4);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}
