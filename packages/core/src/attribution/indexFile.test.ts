import { describe, expect, it } from "vitest";
import { buildIndexFromTokens } from "./buildIndex.ts";
import { INDEX_HEADER_BYTES } from "./constants.ts";
import { decodeIndex } from "./decodeIndex.ts";
import { encodeIndex } from "./encodeIndex.ts";
import { AttributionError } from "./errors.ts";
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
    expect(Array.from(decoded.index.suffixArray)).toEqual(Array.from(index.suffixArray));
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
    expect(Array.from(decoded.index.suffixArray)).toEqual(Array.from(index.suffixArray));
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
    future[8] = 2;
    expect(await codeOf(decodeIndex(future))).toBe("INDEX_UNSUPPORTED_VERSION");
    const longer = new Uint8Array(bytes.length + 8);
    longer.set(bytes);
    expect(await codeOf(decodeIndex(longer))).toBe("INDEX_CORRUPT");
    expect(await codeOf(decodeIndex(bytes, { tokenizer: "cl100k_base" }))).toBe("INDEX_TOKENIZER_MISMATCH");
  });
});
