import { Inflate } from "fflate";

/** One entry of a ZIP central directory, after the safety checks of {@link openZip}. */
export type ZipEntry = {
  name: string;
  flags: number;
  /** 0 = stored, 8 = deflate (the only two accepted). */
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
};

/** Limits enforced by {@link openZip} and {@link inflateZipEntry}. */
export type ZipLimits = { maxEntries: number; maxUncompressedBytes: number };

/** Why an archive was refused; the codes map 1:1 onto ingest error codes. */
export type ZipProblem = {
  code: "DOCX_CORRUPT" | "DOCX_ZIP_BOMB" | "DOCX_UNSAFE_PATH" | "DOCX_ENCRYPTED";
  message: string;
};

/** The result of {@link openZip}. */
export type OpenZipResult = { ok: true; entries: ZipEntry[] } | ({ ok: false } & ZipProblem);

/** The result of {@link inflateZipEntry}. */
export type InflateZipEntryResult = { ok: true; data: Uint8Array } | ({ ok: false } & ZipProblem);

const u16 = (b: Uint8Array, o: number): number => b[o]! | (b[o + 1]! << 8);
const u32 = (b: Uint8Array, o: number): number =>
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (ISO-HDLC, the ZIP checksum). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Why an entry name is unsafe to extract anywhere (zip-slip), or undefined when it is safe. */
export function unsafeEntryName(name: string): string | undefined {
  if (name.length === 0) return "an empty entry name";
  if (name.includes("\0")) return "a NUL byte in an entry name";
  if (name.includes("\\")) return `a backslash in the entry name ${JSON.stringify(name)}`;
  if (name.startsWith("/")) return `the absolute entry name ${JSON.stringify(name)}`;
  if (/^[A-Za-z]:/.test(name)) return `the drive-qualified entry name ${JSON.stringify(name)}`;
  if (name.split("/").includes("..")) return `the path-traversal entry name ${JSON.stringify(name)}`;
  return undefined;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const latin1 = new TextDecoder("latin1");

function problem(code: ZipProblem["code"], message: string): { ok: false } & ZipProblem {
  return { ok: false, code, message };
}

/**
 * Reads and checks a ZIP central directory without inflating anything: one disk, no ZIP64, at most
 * `maxEntries` entries, declared uncompressed sizes summing to at most `maxUncompressedBytes`, only stored or
 * deflated entries, no encrypted entry, no duplicate name, and no entry name that could escape a folder
 * (`../x`, `/etc/x`, `C:x`, backslashes). The declared sizes can lie; {@link inflateZipEntry} enforces them.
 *
 * @example
 * const zip = openZip(bytes, { maxEntries: 2000, maxUncompressedBytes: 64 << 20 });
 * if (zip.ok) console.log(zip.entries.map((e) => e.name));
 */
export function openZip(bytes: Uint8Array, limits: ZipLimits): OpenZipResult {
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0)
    return problem(
      "DOCX_CORRUPT",
      "the ZIP end-of-central-directory record is missing (truncated or not a ZIP)",
    );
  const disk = u16(bytes, eocd + 4);
  const cdDisk = u16(bytes, eocd + 6);
  const onDisk = u16(bytes, eocd + 8);
  const total = u16(bytes, eocd + 10);
  const cdSize = u32(bytes, eocd + 12);
  const cdOffset = u32(bytes, eocd + 16);
  if (total === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    return problem("DOCX_CORRUPT", "ZIP64 archives are not accepted (a document never needs one)");
  }
  if (disk !== 0 || cdDisk !== 0 || onDisk !== total)
    return problem("DOCX_CORRUPT", "multi-part ZIP archives are not accepted");
  if (total > limits.maxEntries) {
    return problem(
      "DOCX_ZIP_BOMB",
      `the archive has ${total} entries, over the limit of ${limits.maxEntries}`,
    );
  }
  if (cdOffset + cdSize > eocd)
    return problem("DOCX_CORRUPT", "the ZIP central directory lies outside the file");

  const entries: ZipEntry[] = [];
  const names = new Set<string>();
  let declared = 0;
  let p = cdOffset;
  for (let n = 0; n < total; n++) {
    if (p + 46 > cdOffset + cdSize || u32(bytes, p) !== 0x02014b50) {
      return problem("DOCX_CORRUPT", `ZIP central directory entry ${n + 1} is damaged`);
    }
    const flags = u16(bytes, p + 8);
    const method = u16(bytes, p + 10);
    const crc = u32(bytes, p + 16);
    const compressedSize = u32(bytes, p + 20);
    const uncompressedSize = u32(bytes, p + 24);
    const nameLen = u16(bytes, p + 28);
    const extraLen = u16(bytes, p + 30);
    const commentLen = u16(bytes, p + 32);
    const localHeaderOffset = u32(bytes, p + 42);
    const nameEnd = p + 46 + nameLen;
    if (nameEnd > cdOffset + cdSize)
      return problem("DOCX_CORRUPT", `ZIP central directory entry ${n + 1} is truncated`);
    let name: string;
    try {
      name = (flags & 0x800 ? utf8 : latin1).decode(bytes.subarray(p + 46, nameEnd));
    } catch {
      return problem("DOCX_CORRUPT", `ZIP entry ${n + 1} has a name that is not valid UTF-8`);
    }
    const unsafe = unsafeEntryName(name);
    if (unsafe !== undefined) return problem("DOCX_UNSAFE_PATH", `the archive contains ${unsafe}`);
    if (names.has(name))
      return problem("DOCX_CORRUPT", `the archive contains the entry ${JSON.stringify(name)} twice`);
    names.add(name);
    if (flags & 0x1) return problem("DOCX_ENCRYPTED", `the ZIP entry ${JSON.stringify(name)} is encrypted`);
    if (method !== 0 && method !== 8) {
      return problem(
        "DOCX_CORRUPT",
        `the ZIP entry ${JSON.stringify(name)} uses compression method ${method} (only stored and deflate are accepted)`,
      );
    }
    declared += uncompressedSize;
    if (declared > limits.maxUncompressedBytes) {
      return problem(
        "DOCX_ZIP_BOMB",
        `the archive declares more than ${limits.maxUncompressedBytes} bytes once uncompressed`,
      );
    }
    entries.push({ name, flags, method, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset });
    p = nameEnd + extraLen + commentLen;
  }
  return { ok: true, entries };
}

/** Compressed bytes fed to the inflater per step: bounds the memory one step can produce (≤ ~1032×). */
const INFLATE_STEP = 4096;

/**
 * Inflates one entry, refusing to produce more than `min(entry.uncompressedSize, maxBytes)` bytes: inflation
 * stops as soon as the output passes the limit (a lying header cannot make it allocate more), and the CRC-32
 * and the size must match the central directory.
 *
 * @example
 * const r = inflateZipEntry(bytes, entry, 1 << 20);
 * if (r.ok) new TextDecoder().decode(r.data);
 */
export function inflateZipEntry(bytes: Uint8Array, entry: ZipEntry, maxBytes: number): InflateZipEntryResult {
  const name = JSON.stringify(entry.name);
  const lh = entry.localHeaderOffset;
  if (lh + 30 > bytes.length || u32(bytes, lh) !== 0x04034b50) {
    return problem("DOCX_CORRUPT", `the local header of the ZIP entry ${name} is missing`);
  }
  const start = lh + 30 + u16(bytes, lh + 26) + u16(bytes, lh + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) return problem("DOCX_CORRUPT", `the ZIP entry ${name} is truncated`);
  if (entry.uncompressedSize > maxBytes) {
    return problem(
      "DOCX_ZIP_BOMB",
      `the ZIP entry ${name} declares ${entry.uncompressedSize} bytes, over the remaining budget of ${maxBytes}`,
    );
  }
  const limit = entry.uncompressedSize;
  const compressed = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (compressed.length !== limit)
      return problem("DOCX_CORRUPT", `the stored ZIP entry ${name} has the wrong size`);
    data = compressed;
  } else {
    const chunks: Uint8Array[] = [];
    let produced = 0;
    let overflow = false;
    const inflater = new Inflate((chunk) => {
      produced += chunk.length;
      if (produced > limit) overflow = true;
      else chunks.push(chunk);
    });
    try {
      for (let off = 0; off < compressed.length && !overflow; off += INFLATE_STEP) {
        const stop = Math.min(off + INFLATE_STEP, compressed.length);
        inflater.push(compressed.subarray(off, stop), stop === compressed.length);
      }
    } catch (cause) {
      return problem(
        "DOCX_CORRUPT",
        `the ZIP entry ${name} does not inflate: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
    if (overflow) {
      return problem(
        "DOCX_ZIP_BOMB",
        `the ZIP entry ${name} inflates past its declared size of ${limit} bytes`,
      );
    }
    if (produced !== limit)
      return problem(
        "DOCX_CORRUPT",
        `the ZIP entry ${name} inflates to ${produced} bytes, not the declared ${limit}`,
      );
    data = new Uint8Array(produced);
    let o = 0;
    for (const c of chunks) {
      data.set(c, o);
      o += c.length;
    }
  }
  if (crc32(data) !== entry.crc32)
    return problem("DOCX_CORRUPT", `the ZIP entry ${name} fails its CRC-32 check`);
  return { ok: true, data };
}
