/** The result of {@link decodeUtf8}. */
export type DecodeUtf8Result =
  | { ok: true; text: string }
  | { ok: false; byteOffset: number; line: number; reason: string };

const fatalDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Byte offset of the first byte that does not start a valid UTF-8 sequence (RFC 3629), or -1. */
export function findInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else return i;
    if (i + need >= n) return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Strict UTF-8 decoding (a fatal `TextDecoder`: no replacement characters, no guessing of Latin-1). On failure
 * it says where: the byte offset and the 1-based line of the first invalid sequence. A leading BOM is dropped.
 *
 * @example
 * decodeUtf8(new Uint8Array([0x61, 0x0a, 0xff])); // { ok: false, byteOffset: 2, line: 2, … }
 */
export function decodeUtf8(bytes: Uint8Array): DecodeUtf8Result {
  try {
    return { ok: true, text: fatalDecoder.decode(bytes) };
  } catch {
    const at = findInvalidUtf8(bytes);
    const byteOffset = Math.max(at, 0);
    let line = 1;
    for (let i = 0; i < byteOffset; i++) if (bytes[i] === 0x0a) line++;
    const shown = Array.from(bytes.subarray(byteOffset, byteOffset + 4), (b) =>
      b.toString(16).padStart(2, "0"),
    );
    return {
      ok: false,
      byteOffset,
      line,
      reason: `invalid UTF-8 sequence at byte ${byteOffset} (${shown.join(" ")})`,
    };
  }
}
