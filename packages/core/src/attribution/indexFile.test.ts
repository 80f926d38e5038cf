import { describe, expect, it } from "vitest";
import { INDEX_V1_BASE64, INDEX_V1_ID } from "./__fixtures__/indexV1.ts";
import { buildIndexFromTokens } from "./buildIndex.ts";
import { INDEX_FORMAT_VERSION, INDEX_HEADER_BYTES } from "./constants.ts";
import { decodeIndex } from "./decodeIndex.ts";
import { encodeIndex } from "./encodeIndex.ts";
import { AttributionError } from "./errors.ts";
import { indexLayout } from "./indexLayout.ts";
import { suffixArrayWidth, unpackSuffixArray } from "./packedSuffixArray.ts";
import { sha256Hex } from "./sha256.ts";

const index = buildIndexFromTokens({
  tokenizer: "r50k_base",
  vocabSize: 50257,
  documents: [
    { contributionId: 2n ** 63n + 5n, tokens: [5, 6, 7, 8] },
    { contributionId: 3n, tokens: [5, 6, 9] },
    { contributionId: 3n, tokens: [] },
  ],
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AttributionError);
    expect((e as AttributionError).hint.length).toBeGreaterThan(0);
    return (e as AttributionError).code;
  }
  return "no error";
}

describe("index file", () => {
  it("round-trips every section and is addressed by its sha-256", async () => {
    const { bytes, id } = await encodeIndex(index);
    expect(id).toBe(await sha256Hex(bytes.subarray(0, bytes.length - 32)));
    const decoded = await decodeIndex(bytes, { tokenizer: "r50k_base" });
    expect(decoded.id).toBe(id);
    expect(decoded.index.tokenizer).toBe("r50k_base");
    expect(Array.from(decoded.index.tokens)).toEqual(Array.from(index.tokens));
    expect(Array.from(unpackSuffixArray(decoded.index.suffixArray))).toEqual(
      Array.from(unpackSuffixArray(index.suffixArray)),
    );
    expect(Array.from(decoded.index.docStarts)).toEqual([0, 4, 5]);
    expect(Array.from(decoded.index.contributionIds)).toEqual([3n, 3n, 2n ** 63n + 5n]);
    // Same documents in another order: the same bytes.
    const again = buildIndexFromTokens({
      tokenizer: "r50k_base",
      vocabSize: 50257,
      documents: [
        { contributionId: 3n, tokens: [5, 6, 9] },
        { contributionId: 3n, tokens: [] },
        { contributionId: 2n ** 63n + 5n, tokens: [5, 6, 7, 8] },
      ],
    });
    expect((await encodeIndex(again)).id).toBe(id);
  });

  it("loads from an unaligned Buffer slice", async () => {
    const { bytes } = await encodeIndex(index);
    const padded = Buffer.alloc(bytes.length + 1);
    padded.set(bytes, 1);
    const decoded = await decodeIndex(padded.subarray(1));
    expect(Array.from(unpackSuffixArray(decoded.index.suffixArray))).toEqual(
      Array.from(unpackSuffixArray(index.suffixArray)),
    );
  });

  it("refuses truncated, corrupted, foreign and future files with typed errors", async () => {
    const { bytes } = await encodeIndex(index);
    expect(await codeOf(decodeIndex(bytes.subarray(0, 10)))).toBe("INDEX_TRUNCATED");
    expect(await codeOf(decodeIndex(bytes.subarray(0, bytes.length - 1)))).toBe("INDEX_TRUNCATED");
    const flipped = bytes.slice();
    flipped[INDEX_HEADER_BYTES + 3] = (flipped[INDEX_HEADER_BYTES + 3] as number) ^ 1;
    expect(await codeOf(decodeIndex(flipped))).toBe("INDEX_CHECKSUM_MISMATCH");
    const magic = bytes.slice();
    magic[0] = 0;
    expect(await codeOf(decodeIndex(magic))).toBe("INDEX_BAD_MAGIC");
    const future = bytes.slice();
    future[8] = 3;
    expect(await codeOf(decodeIndex(future))).toBe("INDEX_UNSUPPORTED_VERSION");
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(await codeOf(decodeIndex(longer))).toBe("INDEX_CORRUPT");
    expect(await codeOf(decodeIndex(bytes, { tokenizer: "cl100k_base" }))).toBe("INDEX_TOKENIZER_MISMATCH");
  });

  it("bit-packs the suffix array with ceil(log2(N)) bits and keeps the bytes canonical", async () => {
    const { bytes, id } = await encodeIndex(index);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(INDEX_FORMAT_VERSION).toBe(2);
    expect(dv.getUint32(8, true)).toBe(2);
    // 10 tokens (7 + 3 separators): 4 bits per entry, 7 entries = 28 bits = 1 word + the guard word.
    expect(dv.getUint32(112, true)).toBe(suffixArrayWidth(10));
    expect(suffixArrayWidth(10)).toBe(4);
    const layout = indexLayout(10, 7, 3);
    expect(layout.suffixArrayWords).toBe(2);
    expect(bytes.length).toBe(layout.fileBytes);
    // Decoding then encoding again gives the same bytes and id.
    const decoded = await decodeIndex(bytes);
    const again = await encodeIndex(decoded.index);
    expect(again.id).toBe(id);
    expect(Buffer.from(again.bytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it("refuses a file of the previous format version (1), naming both versions and saying to rebuild", async () => {
    const v1 = new Uint8Array(Buffer.from(INDEX_V1_BASE64, "base64"));
    expect(await sha256Hex(v1.subarray(0, v1.length - 32))).toBe(INDEX_V1_ID); // a genuine v1 file
    const error = await decodeIndex(v1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AttributionError);
    const e = error as AttributionError;
    expect(e.code).toBe("INDEX_UNSUPPORTED_VERSION");
    expect(e.message).toMatch(/format version 1\b/);
    expect(e.message).toMatch(/format version 2\b/);
    expect(e.hint).toMatch(/[Rr]ebuild/);
  });

  it("refuses every truncation, a wrong width and non-zero padding even with a valid checksum", async () => {
    const big = buildIndexFromTokens({
      tokenizer: "r50k_base",
      vocabSize: 50257,
      documents: Array.from({ length: 5 }, (_, d) => ({
        contributionId: BigInt(d),
        tokens: Array.from({ length: 37 + d }, (_, i) => (i * 7 + d) % 11),
      })),
    });
    const { bytes } = await encodeIndex(big);
    for (let cut = 0; cut < bytes.length; cut += 7) {
      const code = await codeOf(decodeIndex(bytes.subarray(0, cut)));
      expect(["INDEX_TRUNCATED", "INDEX_BAD_MAGIC"]).toContain(code);
      if (cut >= 8) expect(code).toBe("INDEX_TRUNCATED");
    }
    const resign = async (b: Uint8Array): Promise<Uint8Array> => {
      const hex = await sha256Hex(b.subarray(0, b.length - 32));
      for (let i = 0; i < 32; i++) b[b.length - 32 + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      return b;
    };
    const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const wide = bytes.slice();
    dv(wide).setUint32(112, 32, true);
    expect(await codeOf(decodeIndex(await resign(wide)))).toBe("INDEX_CORRUPT");
    const tokenCount = dv(bytes).getUint32(16, true);
    const suffixCount = dv(bytes).getUint32(20, true);
    const layout = indexLayout(tokenCount, suffixCount, dv(bytes).getUint32(24, true));
    const guard = bytes.slice();
    const guardAt = layout.suffixArrayOffset + 4 * (layout.suffixArrayWords - 1);
    guard[guardAt] = 1;
    expect(await codeOf(decodeIndex(await resign(guard)))).toBe("INDEX_CORRUPT");
    const usedBits = suffixCount * layout.suffixArrayWidth - 32 * (layout.suffixArrayWords - 2);
    expect(usedBits).toBeLessThan(32);
    const padding = bytes.slice();
    const lastAt = layout.suffixArrayOffset + 4 * (layout.suffixArrayWords - 2);
    dv(padding).setUint32(lastAt, dv(padding).getUint32(lastAt, true) | (1 << 31), true);
    expect(await codeOf(decodeIndex(await resign(padding)))).toBe("INDEX_CORRUPT");
    // Any single flipped bit in the suffix array is caught by the checksum.
    for (let at = layout.suffixArrayOffset; at < layout.docStartsOffset; at += 5) {
      const flipped = bytes.slice();
      flipped[at] = (flipped[at] as number) ^ 0x10;
      expect(await codeOf(decodeIndex(flipped))).toBe("INDEX_CHECKSUM_MISMATCH");
    }
  });
});
