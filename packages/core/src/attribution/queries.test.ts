import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTokenizer } from "../tokenizer/createTokenizer.ts";
import { mobyDickChapters } from "./__fixtures__/mobyDick.ts";
import { buildIndex, buildIndexFromTokens } from "./buildIndex.ts";
import { SEPARATOR_TOKEN } from "./constants.ts";
import { countOccurrences, locateOccurrences, longestMatches } from "./queries.ts";
import type { TokenizedDocument } from "./types.ts";

// Naive references: scan every document (never across a boundary).
function naivePositions(docs: readonly TokenizedDocument[], pattern: readonly number[]): number[] {
  const out: number[] = [];
  let base = 0;
  for (const d of docs) {
    for (let i = 0; i + pattern.length <= d.tokens.length; i++) {
      if (pattern.every((t, k) => d.tokens[i + k] === t)) out.push(base + i);
    }
    base += d.tokens.length + 1;
  }
  return out;
}

describe("queries on random documents", () => {
  it("count, locate and longest match agree with a naive scan and never cross documents", () => {
    const docArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 40 });
    fc.assert(
      fc.property(
        fc.array(docArb, { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 20 }),
        (docTokens, pattern, output) => {
          const docs = docTokens.map((tokens, i) => ({ contributionId: BigInt(i), tokens }));
          const index = buildIndexFromTokens({ tokenizer: "t", vocabSize: 4, documents: docs });
          const expected = naivePositions(docs, pattern);
          expect(countOccurrences(index, pattern)).toBe(expected.length);
          expect(locateOccurrences(index, pattern).map((o) => o.position)).toEqual(expected);
          const lengths = longestMatches(index, output);
          for (let i = 0; i < output.length; i++) {
            let best = 0;
            for (let len = 1; i + len <= output.length; len++) {
              if (naivePositions(docs, output.slice(i, i + len)).length > 0) best = len;
              else break;
            }
            expect(lengths[i]).toBe(best);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never matches the separator", () => {
    const index = buildIndexFromTokens({
      tokenizer: "t",
      vocabSize: 10,
      documents: [
        { contributionId: 1n, tokens: [1, 2] },
        { contributionId: 2n, tokens: [3] },
      ],
    });
    expect(countOccurrences(index, [2, SEPARATOR_TOKEN, 3])).toBe(0);
    expect(countOccurrences(index, [2, 3])).toBe(0);
    expect(Array.from(longestMatches(index, [1, 2, SEPARATOR_TOKEN, 3]))).toEqual([2, 1, 0, 1]);
  });
});

describe("queries on Moby-Dick", () => {
  const tok = createTokenizer();
  const chapters = mobyDickChapters();
  const index = buildIndex({ tokenizer: tok, documents: chapters });

  it("locates a famous sentence in chapter 1 and counts a common phrase", () => {
    const hits = locateOccurrences(index, tok.encode("Call me Ishmael"));
    expect(hits).toHaveLength(1);
    expect(hits[0]?.contributionId).toBe(1n);
    expect(hits[0]?.documentOffset).toBe(0);
    const phrase = tok.encode(" the whale");
    const expected = chapters.reduce(
      (n, c) =>
        n + naivePositions([{ contributionId: 0n, tokens: tok.encode(c.text) }], Array.from(phrase)).length,
      0,
    );
    expect(countOccurrences(index, phrase)).toBe(expected);
    expect(expected).toBeGreaterThan(100);
  });

  it("matches a verbatim passage to its full length", () => {
    const ch = chapters[41]?.text as string;
    // Cut on spaces so the passage tokenizes exactly as inside the chapter.
    const passage = tok.encode(ch.slice(ch.indexOf(" ", 2000), ch.indexOf(" ", 2600)));
    const lengths = longestMatches(index, passage);
    expect(lengths[0]).toBe(passage.length);
    expect(lengths[10]).toBe(passage.length - 10);
  });
});
