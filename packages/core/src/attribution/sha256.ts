/**
 * sha-256 of `bytes` as lowercase hex, through WebCrypto (`globalThis.crypto.subtle`, present in Node 20 and
 * browsers): native speed on index files of hundreds of megabytes, and no I/O, so core stays pure.
 *
 * @example
 * await sha256Hex(new TextEncoder().encode("abc")); // "ba7816bf…"
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}
