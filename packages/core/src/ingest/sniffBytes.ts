/** What the first bytes of a file say it is, whatever its name says. */
export type SniffedKind = "pdf" | "zip" | "ole2" | "utf16" | "binary" | "text";

/** Human names for {@link SniffedKind}s, used in error messages. */
export const sniffedKindNames: Record<SniffedKind, string> = {
  pdf: "a PDF document",
  zip: "a ZIP archive (e.g. .docx, .xlsx, .zip)",
  ole2: "an OLE2 compound file (legacy .doc/.xls, or a password-protected Office file)",
  utf16: "UTF-16 text",
  binary: "binary data",
  text: "text",
};

function startsWith(bytes: Uint8Array, magic: readonly number[], at = 0): boolean {
  if (bytes.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (bytes[at + i] !== magic[i]) return false;
  return true;
}

/** Magic numbers of common binary formats that are never text. */
const binaryMagics: readonly (readonly number[])[] = [
  [0x89, 0x50, 0x4e, 0x47], // PNG
  [0xff, 0xd8, 0xff], // JPEG
  [0x47, 0x49, 0x46, 0x38], // GIF8
  [0x1f, 0x8b], // gzip
  [0x7f, 0x45, 0x4c, 0x46], // ELF
  [0x42, 0x5a, 0x68], // bzip2
  [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], // 7z
  [0x52, 0x61, 0x72, 0x21], // RAR
  [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], // xz
  [0x28, 0xb5, 0x2f, 0xfd], // zstd
  [0x4d, 0x5a], // PE (MZ)
  [0x00, 0x61, 0x73, 0x6d], // wasm
];

/** `%PDF-` may be preceded by junk; readers accept it within the first 1024 bytes. */
function findPdfMagic(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length - 5, 1024);
  for (let i = 0; i <= end; i++) {
    if (bytes[i] === 0x25 && startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d], i)) return true;
  }
  return false;
}

/**
 * Classifies bytes by magic number, so that a PDF named `.txt`, a ZIP named `.pdf` or an executable named `.md`
 * is caught before any parser sees it. `"binary"` means a known binary signature or a NUL byte in the first
 * 8 KiB (UTF-8 text has none); `"text"` means nothing contradicts text (UTF-8 validity is checked apart).
 *
 * @example
 * sniffBytes(new TextEncoder().encode("%PDF-1.7\n…")); // "pdf"
 */
export function sniffBytes(bytes: Uint8Array): SniffedKind {
  if (findPdfMagic(bytes)) return "pdf";
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]))
    return "zip";
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return "ole2";
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) return "utf16";
  for (const magic of binaryMagics) if (startsWith(bytes, magic)) return "binary";
  const head = bytes.length > 8192 ? bytes.subarray(0, 8192) : bytes;
  if (head.includes(0)) return "binary";
  return "text";
}
