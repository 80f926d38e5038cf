import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildSuffixArray } from "./buildSuffixArray.ts";

function naiveSuffixArray(text: ArrayLike<number>): number[] {
  const n = text.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  return idx.sort((a, b) => {
    while (a < n && b < n) {
      if (text[a] !== text[b]) return (text[a] as number) - (text[b] as number);
      a++;
      b++;
    }
    // The shorter suffix (the one that reached the end) sorts first.
    return a === n ? -1 : 1;
  });
}

describe("buildSuffixArray", () => {
  it("sorts fixed texts like a naive sort (banana, runs, periodic, decreasing)", () => {
    const cases = [
      [2, 1, 3, 1, 3, 1],
      [0, 0, 0, 0, 0, 0, 0],
      [1, 2, 1, 2, 1, 2, 1, 2],
      [5, 4, 3, 2, 1, 0],
      [0, 1, 2, 3, 4, 5],
      [3],
      [],
    ];
    for (const c of cases) {
      expect(Array.from(buildSuffixArray(Uint16Array.from(c), 6))).toEqual(naiveSuffixArray(c));
    }
  });

  it("equals a naive sort on random texts over small and large alphabets", () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 65536 })
          .chain((k) =>
            fc.tuple(fc.constant(k), fc.array(fc.integer({ min: 0, max: k - 1 }), { maxLength: 300 })),
          ),
        ([k, arr]) => {
          expect(Array.from(buildSuffixArray(Uint16Array.from(arr), k))).toEqual(naiveSuffixArray(arr));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("equals a naive sort on highly repetitive texts (deep recursion)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 1, max: 60 }),
        (unit, reps) => {
          const text = Array.from({ length: unit.length * reps }, (_, i) => unit[i % unit.length] as number);
          expect(Array.from(buildSuffixArray(Uint16Array.from(text), 3))).toEqual(naiveSuffixArray(text));
        },
      ),
      { numRuns: 200 },
    );
  });
});
