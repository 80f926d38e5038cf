import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createTokenizer } from "../tokenizer/createTokenizer.ts";
import { mobyDickChapters } from "./__fixtures__/mobyDick.ts";
import { attributeSpans } from "./attributeSpans.ts";
import { buildIndex } from "./buildIndex.ts";
import { canonicalJson } from "./canonicalJson.ts";
import { AttributionError } from "./errors.ts";

const tokenizer = createTokenizer();
const chapters = mobyDickChapters();
// Chapters 130..135 are held out: never indexed.
const indexed = chapters.filter((c) => c.contributionId < 130n);
const heldOut = chapters.filter((c) => c.contributionId >= 130n);
const index = buildIndex({ tokenizer, documents: indexed });
const text = (id: bigint): string => (chapters.find((c) => c.contributionId === id)?.text ?? "") as string;

// A passage cut on spaces, so it tokenizes as inside its chapter.
function passage(id: bigint, at: number, words: number): string {
  const t = text(id);
  const start = t.indexOf(" ", at);
  let end = start;
  for (let w = 0; w < words; w++) end = t.indexOf(" ", end + 1);
  return t.slice(start, end);
}

describe("attributeSpans (span-v1)", () => {
  it("credits verbatim passages to their chapters and nothing to held-out text", () => {
    const a = passage(1n, 3000, 30);
    const b = passage(57n, 1500, 30);
    const out = `${a} ${passage(131n, 2000, 40)}${b}`;
    const r = attributeSpans({ index, tokenizer, text: out });
    const ids = r.contributions.map((c) => c.contributionId);
    expect(ids.slice(0, 2).sort()).toEqual([1n, 57n]);
    expect(r.contributions.reduce((s, c) => s + c.ppm, 0)).toBe(1_000_000);
    // The two passages are about equally long, so neither gets less than 40%.
    for (const c of r.contributions.slice(0, 2)) expect(c.ppm).toBeGreaterThan(400_000);
    // Every span points at real text: the span text occurs in the cited chapter at the cited offset.
    for (const span of r.spans) {
      expect(out.slice(span.charStart, span.charEnd)).toBe(span.text);
      for (const src of span.sources) {
        const docTokens = tokenizer.encode(text(src.contributionId));
        const spanTokens = tokenizer.encode(span.text);
        expect(
          Array.from(docTokens.slice(src.documentOffset, src.documentOffset + spanTokens.length)),
        ).toEqual(Array.from(spanTokens));
      }
    }
  });

  it("attributes nothing to held-out chapters alone", () => {
    let attributed = 0;
    let total = 0;
    for (const c of heldOut) {
      const r = attributeSpans({ index, tokenizer, text: c.text.slice(0, 4000) });
      attributed += r.attributedTokens;
      total += r.outputTokens;
    }
    expect(attributed / total).toBeLessThan(0.01);
  });

  it("splits a copied text equally between its copies (Shapley, not multiplied)", () => {
    const copyIndex = buildIndex({
      tokenizer,
      documents: [
        { contributionId: 10n, text: text(3n) },
        { contributionId: 20n, text: text(3n) },
        { contributionId: 30n, text: text(4n) },
      ],
    });
    const r = attributeSpans({ index: copyIndex, tokenizer, text: passage(3n, 500, 60) });
    expect(r.contributions).toEqual([
      { contributionId: 10n, ppm: 500_000 },
      { contributionId: 20n, ppm: 500_000 },
    ]);
  });

  it("drops generic phrases above maxCount and spans below minTokens", () => {
    const phrase = " of the whale";
    expect(
      attributeSpans({ index, tokenizer, text: phrase, minTokens: 1, maxCount: 10 }).contributions,
    ).toEqual([]);
    expect(
      attributeSpans({ index, tokenizer, text: phrase, minTokens: 1, maxCount: 10_000 }).attributedTokens,
    ).toBe(3);
    const short = passage(42n, 800, 3);
    expect(attributeSpans({ index, tokenizer, text: short, minTokens: 8 }).contributions).toEqual([]);
  });

  it("rejects out-of-range parameters with a typed error", () => {
    expect(() => attributeSpans({ index, tokenizer, text: "x", maxCount: 0 })).toThrow(AttributionError);
    expect(() => attributeSpans({ index, tokenizer, text: "x", minTokens: 1.5 })).toThrow(AttributionError);
  });

  it("is byte-identical across two child processes and this one", async () => {
    const out = `${passage(12n, 900, 25)} and so on ${passage(99n, 100, 25)}`;
    const script = fileURLToPath(new URL("./__fixtures__/printAttribution.ts", import.meta.url));
    const tsx = createRequire(import.meta.url).resolve("tsx");
    const run = () =>
      promisify(execFile)(process.execPath, ["--import", tsx, script, out], { maxBuffer: 1 << 24 }).then(
        (r) => r.stdout,
      );
    const [first, second] = await Promise.all([run(), run()]);
    const here = canonicalJson(
      attributeSpans({
        index: buildIndex({ tokenizer, documents: chapters }),
        tokenizer,
        text: out,
        minTokens: 6,
        maxCount: 20,
      }),
    );
    expect(first.length).toBeGreaterThan(200);
    expect(first).toBe(second);
    expect(first).toBe(here);
    expect(
      JSON.parse(first)
        .contributions.map((c: { contributionId: string }) => c.contributionId)
        .sort(),
    ).toEqual(["12", "99"]);
  });
});
