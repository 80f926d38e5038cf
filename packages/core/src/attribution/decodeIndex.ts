import {
  INDEX_FORMAT_VERSION,
  INDEX_HEADER_BYTES,
  INDEX_MAGIC,
  INDEX_TRAILER_BYTES,
  SEPARATOR_TOKEN,
} from "./constants.ts";
import { AttributionError } from "./errors.ts";
import { indexLayout } from "./indexLayout.ts";
import { packedSuffixArrayOf } from "./packedSuffixArray.ts";
import { sha256Hex } from "./sha256.ts";
import type { AttributionIndex } from "./types.ts";

/** Options of {@link decodeIndex}. */
export type DecodeIndexOptions = {
  /** Check the sha-256 trailer (default true). Skip only for a file whose id was just verified. */
  readonly verify?: boolean;
  /** When set, refuse an index built with another tokenizer. */
  readonly tokenizer?: string;
};

/** Result of {@link decodeIndex}. */
export type DecodeIndexReturnType = {
  readonly index: AttributionIndex;
  /** Content address (hex sha-256 stored in the trailer). */
  readonly id: string;
};

const HINT_REBUILD =
  "Rebuild the index for this datanet version, or fetch the file again from the content store.";

function view<T>(
  bytes: Uint8Array,
  offset: number,
  length: number,
  width: number,
  make: (buffer: ArrayBufferLike, byteOffset: number, length: number) => T,
): T {
  const at = bytes.byteOffset + offset;
  if (at % width === 0) return make(bytes.buffer, at, length);
  // Unaligned input (e.g. a slice of a pooled Buffer): copy that section once.
  // (Buffer#slice does not copy, so copy explicitly.)
  const copy = new Uint8Array(length * width);
  copy.set(bytes.subarray(offset, offset + length * width));
  return make(copy.buffer, 0, length);
}

/**
 * Loads an index file from bytes (a `Uint8Array` or Node `Buffer`). Sections are viewed in place when aligned.
 * A file that is truncated, has a wrong magic, an unknown format version, inconsistent counts or a checksum
 * that does not match is refused with an {@link AttributionError} (`INDEX_*` codes).
 *
 * @example
 * const { index, id } = await decodeIndex(await readFile(path), { tokenizer: "r50k_base" });
 */
export async function decodeIndex(
  bytes: Uint8Array,
  options: DecodeIndexOptions = {},
): Promise<DecodeIndexReturnType> {
  if (bytes.length < INDEX_HEADER_BYTES + INDEX_TRAILER_BYTES) {
    if (bytes.length >= INDEX_MAGIC.length && !INDEX_MAGIC.every((b, i) => bytes[i] === b)) {
      throw new AttributionError(
        "INDEX_BAD_MAGIC",
        "not an attribution index file (bad magic)",
        HINT_REBUILD,
      );
    }
    throw new AttributionError(
      "INDEX_TRUNCATED",
      `index file is ${bytes.length} bytes, shorter than its header`,
      HINT_REBUILD,
    );
  }
  if (!INDEX_MAGIC.every((b, i) => bytes[i] === b)) {
    throw new AttributionError("INDEX_BAD_MAGIC", "not an attribution index file (bad magic)", HINT_REBUILD);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const formatVersion = dv.getUint32(8, true);
  if (formatVersion !== INDEX_FORMAT_VERSION) {
    const older = formatVersion < INDEX_FORMAT_VERSION;
    throw new AttributionError(
      "INDEX_UNSUPPORTED_VERSION",
      `index file has format version ${formatVersion}; this node reads only format version ${INDEX_FORMAT_VERSION}` +
        (formatVersion === 1 ? " (version 1 stored the suffix array as Uint32; version 2 bit-packs it)" : ""),
      older
        ? `Rebuild the index from the datanet version's documents (buildIndex + encodeIndex) to get a format ${INDEX_FORMAT_VERSION} file.`
        : `Upgrade the node to one that reads format ${formatVersion}, or rebuild the index with this node.`,
    );
  }
  const headerBytes = dv.getUint32(12, true);
  const tokenCount = dv.getUint32(16, true);
  const suffixCount = dv.getUint32(20, true);
  const docCount = dv.getUint32(24, true);
  const vocabSize = dv.getUint32(28, true);
  const separator = dv.getUint32(32, true);
  const nameLength = dv.getUint32(36, true);
  const declaredBytes = dv.getBigUint64(104, true);
  const width = dv.getUint32(112, true);
  if (
    headerBytes !== INDEX_HEADER_BYTES ||
    separator !== SEPARATOR_TOKEN ||
    nameLength > 64 ||
    vocabSize > SEPARATOR_TOKEN ||
    suffixCount + docCount !== tokenCount
  ) {
    throw new AttributionError("INDEX_CORRUPT", "index header is inconsistent", HINT_REBUILD);
  }
  const layout = indexLayout(tokenCount, suffixCount, docCount);
  if (width !== layout.suffixArrayWidth) {
    throw new AttributionError(
      "INDEX_CORRUPT",
      `index header is inconsistent (suffix array width ${width}, expected ${layout.suffixArrayWidth} for ${tokenCount} tokens)`,
      HINT_REBUILD,
    );
  }
  if (declaredBytes !== BigInt(layout.fileBytes)) {
    throw new AttributionError("INDEX_CORRUPT", "index header is inconsistent (file length)", HINT_REBUILD);
  }
  if (bytes.length < layout.fileBytes) {
    throw new AttributionError(
      "INDEX_TRUNCATED",
      `index file is ${bytes.length} bytes, its header announces ${layout.fileBytes}`,
      HINT_REBUILD,
    );
  }
  if (bytes.length > layout.fileBytes) {
    throw new AttributionError(
      "INDEX_CORRUPT",
      `index file has ${bytes.length - layout.fileBytes} unexpected trailing bytes`,
      HINT_REBUILD,
    );
  }
  let id = "";
  for (let i = 0; i < INDEX_TRAILER_BYTES; i++) {
    id += (bytes[layout.trailerOffset + i] as number).toString(16).padStart(2, "0");
  }
  if (options.verify !== false) {
    const actual = await sha256Hex(bytes.subarray(0, layout.trailerOffset));
    if (actual !== id) {
      throw new AttributionError(
        "INDEX_CHECKSUM_MISMATCH",
        `index checksum mismatch: trailer ${id.slice(0, 12)}…, content ${actual.slice(0, 12)}…`,
        HINT_REBUILD,
      );
    }
  }
  const tokenizer = new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(40, 40 + nameLength));
  if (options.tokenizer !== undefined && options.tokenizer !== tokenizer) {
    throw new AttributionError(
      "INDEX_TOKENIZER_MISMATCH",
      `index was built with tokenizer "${tokenizer}", expected "${options.tokenizer}"`,
      "Query with the tokenizer named in the index header, or rebuild the index.",
    );
  }
  const tokens = view(bytes, layout.tokensOffset, tokenCount, 2, (b, o, l) => new Uint16Array(b, o, l));
  const suffixWords = view(
    bytes,
    layout.suffixArrayOffset,
    layout.suffixArrayWords,
    4,
    (b, o, l) => new Uint32Array(b, o, l),
  );
  // Bits past the last entry (and the guard word) are zero in every file encodeIndex writes.
  const usedBits = suffixCount * width - 32 * (layout.suffixArrayWords - 2);
  const lastWord = suffixWords[layout.suffixArrayWords - 2] ?? 0;
  if (
    suffixWords[layout.suffixArrayWords - 1] !== 0 ||
    (usedBits < 32 && layout.suffixArrayWords >= 2 && lastWord >>> usedBits !== 0)
  ) {
    throw new AttributionError("INDEX_CORRUPT", "suffix array padding is not zero", HINT_REBUILD);
  }
  const suffixArray = packedSuffixArrayOf(suffixWords, suffixCount, width);
  const docStarts = view(bytes, layout.docStartsOffset, docCount, 4, (b, o, l) => new Uint32Array(b, o, l));
  const contributionIds = view(
    bytes,
    layout.contributionIdsOffset,
    docCount,
    8,
    (b, o, l) => new BigUint64Array(b, o, l),
  );
  // Cheap structural checks (O(documents)) so a file written by a buggy builder is refused, not misread.
  for (let d = 0; d < docCount; d++) {
    const start = docStarts[d] as number;
    const ok =
      d === 0
        ? start === 0
        : start > (docStarts[d - 1] as number) && start < tokenCount && tokens[start - 1] === SEPARATOR_TOKEN;
    if (!ok)
      throw new AttributionError("INDEX_CORRUPT", `document ${d} starts at an invalid offset`, HINT_REBUILD);
  }
  if (tokenCount > 0 && tokens[tokenCount - 1] !== SEPARATOR_TOKEN) {
    throw new AttributionError("INDEX_CORRUPT", "last document is not terminated", HINT_REBUILD);
  }
  return {
    index: { formatVersion, tokenizer, vocabSize, tokens, suffixArray, docStarts, contributionIds },
    id,
  };
}
