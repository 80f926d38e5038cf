import { describe, expect, it } from "vitest";
import { fallbackContributions } from "../settlement/fallbackContributions.ts";
import { buildIndexFromTokens } from "./buildIndex.ts";
import { encodeIndex } from "./encodeIndex.ts";
import { AttributionError } from "./errors.ts";
import { countOccurrences } from "./queries.ts";
import type { TokenizedDocument } from "./types.ts";
import { unionIndex } from "./unionIndex.ts";

const build = (documents: TokenizedDocument[], tokenizer = "r50k_base") =>
  buildIndexFromTokens({ tokenizer, vocabSize: 50257, documents });

// Version 1 of a datanet, version 2 (version 1's documents plus one), and another datanet.
const a = { contributionId: 1n, tokens: [10, 11, 12, 13] };
const b = { contributionId: 2n, tokens: [11, 12, 14] };
const c = { contributionId: 3n, tokens: [20, 21] };
const d = { contributionId: 7n, tokens: [11, 12, 13, 30, 31] };
const v1 = build([a, b]);
const v2 = build([a, b, c]);
const other = build([d]);

const idOf = async (ix: Parameters<typeof encodeIndex>[0]) => (await encodeIndex(ix)).id;

describe("unionIndex", () => {
  it("keeps a document found in several versions once", async () => {
    const union = unionIndex([v1, v2, other]);
    expect(await idOf(union)).toBe(await idOf(build([a, b, c, d])));
    // [11, 12] occurs in a, b and d: three times, not five.
    expect(countOccurrences(union, [11, 12])).toBe(3);
    expect(fallbackContributions(union)).toEqual([
      { contributionId: 1n, tokens: 4 },
      { contributionId: 2n, tokens: 3 },
      { contributionId: 3n, tokens: 2 },
      { contributionId: 7n, tokens: 5 },
    ]);
  });

  it("is the same bytes on every call and returns a single index as it is", async () => {
    expect(await idOf(unionIndex([v1, v2, other]))).toBe(await idOf(unionIndex([v1, v2, other])));
    expect(await idOf(unionIndex([other, v2]))).toBe(await idOf(unionIndex([v2, other])));
    expect(unionIndex([v2])).toBe(v2);
  });

  it("keeps a contribution's differing documents, and a version's own repeated documents", async () => {
    const changed = { contributionId: 1n, tokens: [10, 11, 12, 99] };
    expect(await idOf(unionIndex([v1, build([changed])]))).toBe(await idOf(build([a, b, changed])));
    const twice = build([a, a]);
    expect(await idOf(unionIndex([twice, v1]))).toBe(await idOf(build([a, a, b])));
  });

  it("refuses no index and indexes of different tokenizers", () => {
    expect(() => unionIndex([])).toThrow(AttributionError);
    expect(() => unionIndex([v1, build([c], "cl100k_base")])).toThrow(/different tokenizers/);
  });
});
