import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttributionError } from "./errors.ts";
import {
  packedSuffixArrayOf,
  packedWordCount,
  packSuffixArray,
  saAt,
  suffixArrayWidth,
  unpackSuffixArray,
} from "./packedSuffixArray.ts";

describe("packed suffix array", () => {
  it("saAt equals the plain array for random lengths and every width 1..32", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 0, max: 300 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (width, length, seed) => {
          // Values spread over the whole range, including 0 and the all-ones maximum.
          const max = 2 ** width - 1;
          let s = seed;
          const values = new Uint32Array(length);
          for (let i = 0; i < length; i++) {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            const pick = s % 4;
            values[i] = pick === 0 ? 0 : pick === 1 ? max : (s * 2654435761) % (max + 1);
          }
          const sa = packSuffixArray(values, width);
          expect(sa.length).toBe(length);
          expect(sa.words.length).toBe(packedWordCount(length, width));
          expect(sa.words[sa.words.length - 1]).toBe(0); // guard word
          for (let i = 0; i < length; i++) expect(saAt(sa, i)).toBe(values[i]);
          expect(Array.from(unpackSuffixArray(sa))).toEqual(Array.from(values));
          // The words alone describe the array.
          const again = packedSuffixArrayOf(sa.words.slice(), length, width);
          for (let i = 0; i < length; i++) expect(saAt(again, i)).toBe(values[i]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("uses exactly ceil(length·width/32) + 1 words and leaves padding bits zero", () => {
    for (let width = 1; width <= 32; width++) {
      for (const length of [0, 1, 31, 32, 33, 95]) {
        const values = new Uint32Array(length).fill(2 ** width - 1);
        const sa = packSuffixArray(values, width);
        expect(sa.words.length).toBe(Math.ceil((length * width) / 32) + 1);
        let ones = 0;
        for (const w of sa.words) for (let b = 0; b < 32; b++) ones += (w >>> b) & 1;
        expect(ones).toBe(length * width);
      }
    }
  });

  it("accessor stays exact at indexes near 2^31 (no 32-bit overflow in the offset)", () => {
    // Only the arithmetic is checked: a 31-bit array at i = 2^31 - 1 would start at bit 66,571,993,057.
    const i = 2 ** 31 - 1;
    const w = 31;
    const r = (i & 31) * w;
    const word = (i >>> 5) * w + (r >>> 5);
    expect(word * 32 + (r & 31)).toBe(i * w);
  });

  it("width is ceil(log2(tokenCount)), at least 1", () => {
    expect(suffixArrayWidth(0)).toBe(1);
    expect(suffixArrayWidth(1)).toBe(1);
    expect(suffixArrayWidth(2)).toBe(1);
    expect(suffixArrayWidth(3)).toBe(2);
    expect(suffixArrayWidth(256)).toBe(8);
    expect(suffixArrayWidth(257)).toBe(9);
    expect(suffixArrayWidth(1_000_000)).toBe(20);
    expect(suffixArrayWidth(100_000_000)).toBe(27);
    expect(suffixArrayWidth(2 ** 31 - 1)).toBe(31);
    for (let n = 2; n < 5000; n++) expect(2 ** suffixArrayWidth(n)).toBeGreaterThanOrEqual(n);
  });

  it("refuses values that do not fit, bad widths and word counts", () => {
    expect(() => packSuffixArray([4], 2)).toThrow(AttributionError);
    expect(() => packSuffixArray([-1], 8)).toThrow(AttributionError);
    expect(() => packSuffixArray([1], 0)).toThrow(AttributionError);
    expect(() => packSuffixArray([1], 33)).toThrow(AttributionError);
    expect(() => packedSuffixArrayOf(new Uint32Array(3), 5, 27)).toThrow(AttributionError);
  });
});
