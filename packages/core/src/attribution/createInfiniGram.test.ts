import { describe, expect, it } from "vitest";
import { createTokenizer } from "../tokenizer/createTokenizer.ts";
import { mobyDickChapters } from "./__fixtures__/mobyDick.ts";
import { buildIndex } from "./buildIndex.ts";
import { canonicalJson } from "./canonicalJson.ts";
import { SEPARATOR_TOKEN } from "./constants.ts";
import { createInfiniGram } from "./createInfiniGram.ts";
import { createWeightAccumulator, partsPerMillion } from "./partsPerMillion.ts";
import { countOccurrences, locateOccurrences } from "./queries.ts";

const tokenizer = createTokenizer();
const chapters = mobyDickChapters();
const index = buildIndex({ tokenizer, documents: chapters });
const lm = createInfiniGram({ index, tokenizer });

const PROMPTS = [
  "What do you think of the whale?",
  "Tell me about the captain.",
  "Where is the ship going?",
  "Who is Queequeg?",
  "Describe the sea at night.",
  "Why did you go to sea?",
  "What is the harpoon for?",
  "How big is the white whale?",
  "What did Starbuck say?",
  "Is the voyage dangerous?",
];

describe("createInfiniGram", () => {
  it("reproduces a text from its seed, and other seeds give other texts", () => {
    const a = lm.generate({
      prompt: "Tell me about the sea.",
      seed: 11n,
      maxTokens: 48,
      stopAtSentence: false,
    });
    const b = lm.generate({
      prompt: "Tell me about the sea.",
      seed: 11n,
      maxTokens: 48,
      stopAtSentence: false,
    });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(a.tokens).toHaveLength(48);
    const others = new Set(
      [1n, 2n, 3n, 4n].map((seed) => lm.generate({ prompt: "Tell me about the sea.", seed }).text),
    );
    expect(others.size).toBeGreaterThan(1);
  });

  it("draws every token from real occurrences of the longest context suffix, and attributes exactly", () => {
    const g = lm.generate({
      prompt: "Call me Ishmael. Some years ago",
      seed: 5n,
      maxTokens: 40,
      stopAtSentence: false,
    });
    const context = Array.from(tokenizer.encode("Call me Ishmael. Some years ago"));
    const acc = createWeightAccumulator();
    for (const t of g.tokens) {
      const suffix = context.slice(context.length - t.suffixLength);
      expect(countOccurrences(index, [...suffix, t.token])).toBe(t.count);
      expect(t.sources.reduce((s, x) => s + x.occurrences, 0)).toBe(t.count);
      // Longest: with one more context token the suffix has no continuation (absent, or only at document ends).
      if (t.suffixLength < context.length) {
        const longer = context.slice(context.length - t.suffixLength - 1);
        for (const occ of locateOccurrences(index, longer)) {
          expect(index.tokens[occ.position + longer.length]).toBe(SEPARATOR_TOKEN);
        }
      }
      for (const s of t.sources) acc.add(s.contributionId, s.occurrences, t.count);
      context.push(t.token);
    }
    // The opening of chapter 1 continues verbatim from chapter 1.
    expect(g.text).toMatch(/^—never mind how long precisely/);
    expect(g.contributions).toEqual(partsPerMillion(acc.integerWeights()));
    expect(g.contributions[0]).toEqual({ contributionId: 1n, ppm: 1_000_000 });
  });

  it("greedy decoding picks the most frequent continuation", () => {
    const context = tokenizer.encode(" said the");
    const dist = lm.nextTokenDistribution(context);
    const g = lm.generate({ prompt: " said the", temperature: 0, maxTokens: 1 });
    expect(g.tokens[0]?.token).toBe(dist.continuations[0]?.token);
    expect(dist.continuations[0]?.count).toBeGreaterThanOrEqual(dist.continuations[1]?.count ?? 0);
    expect(dist.total).toBe(dist.continuations.reduce((s, c) => s + c.count, 0));
  });

  it("answers chat-style prompts and stops at a sentence boundary or at maxTokens", () => {
    const g = lm.generate({ prompt: "User: Who is Captain Ahab?\nAssistant:", seed: 3n, maxTokens: 200 });
    expect(g.stopReason).toBe("sentence");
    expect(g.text.trimEnd()).toMatch(/[.!?]["')\]]*$/);
    const capped = lm.generate({ prompt: "User: Who is Captain Ahab?\nAssistant:", seed: 3n, maxTokens: 3 });
    expect(capped.tokens.length).toBeLessThanOrEqual(3);
  });

  it("treats a removed index exactly like an index rebuilt without those contributions", () => {
    for (const removedId of [1n, 42n]) {
      const rest = chapters.filter((c) => c.contributionId !== removedId);
      const rebuilt = createInfiniGram({ index: buildIndex({ tokenizer, documents: rest }), tokenizer });
      const removed = buildIndex({
        tokenizer,
        documents: chapters.filter((c) => c.contributionId === removedId),
      });
      const view = createInfiniGram({ index, tokenizer, removed });
      for (const prompt of ["Call me Ishmael.", "The whale"]) {
        const p = { prompt, seed: 9n, maxTokens: 30 };
        expect(canonicalJson(view.generate(p))).toBe(canonicalJson(rebuilt.generate(p)));
      }
    }
  });

  it("leave-one-contributor-out: removing the top-attributed chapter changes the generation the most (>= 80%)", () => {
    const singles = new Map(
      chapters.map((c) => [c.contributionId, buildIndex({ tokenizer, documents: [c] })] as const),
    );
    let agree = 0;
    let samples = 0;
    for (const prompt of PROMPTS) {
      for (const seed of [1n, 2n]) {
        const params = { prompt, seed, maxTokens: 40 };
        const g = lm.generate(params);
        const top = g.contributions[0]?.contributionId;
        if (top === undefined) continue;
        const original = g.tokens.map((t) => t.token);
        // Change = positions where the regenerated text differs from the original.
        let best = -1;
        let topChange = -1;
        for (const [id, removed] of singles) {
          const again = createInfiniGram({ index, tokenizer, removed })
            .generate(params)
            .tokens.map((t) => t.token);
          let change = 0;
          for (let i = 0; i < Math.max(original.length, again.length); i++)
            if (original[i] !== again[i]) change++;
          if (change > best) best = change;
          if (id === top) topChange = change;
        }
        samples++;
        if (topChange === best) agree++;
      }
    }
    expect(samples).toBe(20);
    expect(agree / samples).toBeGreaterThanOrEqual(0.8);
  });
});
