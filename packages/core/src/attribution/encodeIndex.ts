import { INDEX_FORMAT_VERSION, INDEX_HEADER_BYTES, INDEX_MAGIC, SEPARATOR_TOKEN } from "./constants.ts";
import { AttributionError } from "./errors.ts";
import { indexLayout } from "./indexLayout.ts";
import { packSuffixArray, unpackSuffixArray } from "./packedSuffixArray.ts";
import { sha256Hex } from "./sha256.ts";
import type { AttributionIndex } from "./types.ts";

/** Longest tokenizer name the header can hold, in UTF-8 bytes. */
export const MAX_TOKENIZER_NAME_BYTES = 64;

/** Result of {@link encodeIndex}. */
export type EncodeIndexReturnType = {
  /** The index file. */
  readonly bytes: Uint8Array;
  /** Content address: sha-256 (hex) of every byte before the trailer, which is also the trailer itself. */
  readonly id: string;
};

function assertLittleEndian(): void {
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] !== 1) {
    throw new AttributionError(
      "INDEX_CORRUPT",
      "index files are little-endian and this platform is big-endian",
      "Run the node on a little-endian platform (x86-64, arm64).",
    );
  }
}

/**
 * Serializes an index into its versioned binary file (layout in docs/attribution.md): a 128-byte header
 * (magic, format version, counts, tokenizer name, file length, suffix-array width), tokens as Uint16, the
 * suffix array bit-packed with `ceil(log2(token count))` bits per entry, document starts as Uint32,
 * contribution ids as uint64, then the sha-256 of everything before it. The same index always gives the same
 * bytes (every padding bit is zero).
 *
 * @example
 * const { bytes, id } = await encodeIndex(index);
 */
export async function encodeIndex(index: AttributionIndex): Promise<EncodeIndexReturnType> {
  assertLittleEndian();
  const name = new TextEncoder().encode(index.tokenizer);
  if (name.length > MAX_TOKENIZER_NAME_BYTES) {
    throw new AttributionError(
      "INVALID_PARAMETER",
      `tokenizer name "${index.tokenizer}" is longer than ${MAX_TOKENIZER_NAME_BYTES} bytes`,
      "Use a shorter tokenizer name.",
    );
  }
  const tokenCount = index.tokens.length;
  const suffixCount = index.suffixArray.length;
  const docCount = index.docStarts.length;
  const layout = indexLayout(tokenCount, suffixCount, docCount);
  const bytes = new Uint8Array(layout.fileBytes);
  const view = new DataView(bytes.buffer);
  bytes.set(INDEX_MAGIC, 0);
  view.setUint32(8, INDEX_FORMAT_VERSION, true);
  view.setUint32(12, INDEX_HEADER_BYTES, true);
  view.setUint32(16, tokenCount, true);
  view.setUint32(20, suffixCount, true);
  view.setUint32(24, docCount, true);
  view.setUint32(28, index.vocabSize, true);
  view.setUint32(32, SEPARATOR_TOKEN, true);
  view.setUint32(36, name.length, true);
  bytes.set(name, 40);
  view.setBigUint64(104, BigInt(layout.fileBytes), true);
  view.setUint32(112, layout.suffixArrayWidth, true);
  new Uint16Array(bytes.buffer, layout.tokensOffset, tokenCount).set(index.tokens);
  // An index packed with another width (built by hand) is repacked, so the file stays canonical.
  const sa =
    index.suffixArray.width === layout.suffixArrayWidth
      ? index.suffixArray
      : packSuffixArray(unpackSuffixArray(index.suffixArray), layout.suffixArrayWidth);
  new Uint32Array(bytes.buffer, layout.suffixArrayOffset, layout.suffixArrayWords).set(sa.words);
  new Uint32Array(bytes.buffer, layout.docStartsOffset, docCount).set(index.docStarts);
  new BigUint64Array(bytes.buffer, layout.contributionIdsOffset, docCount).set(index.contributionIds);
  const id = await sha256Hex(bytes.subarray(0, layout.trailerOffset));
  for (let i = 0; i < 32; i++)
    bytes[layout.trailerOffset + i] = Number.parseInt(id.slice(2 * i, 2 * i + 2), 16);
  return { bytes, id };
}
