import { describe, expect, it } from "vitest";
import { createTokenizer } from "./createTokenizer.ts";

describe("createTokenizer", () => {
  const tok = createTokenizer();

  it("encodes with r50k_base (GPT-2) ids that fit 16 bits and round-trips", () => {
    const text = "Call me Ishmael. Some years ago—never mind how long precisely";
    const ids = tok.encode(text);
    expect(tok.name).toBe("r50k_base");
    expect(Array.from(ids.slice(0, 6))).toEqual([14134, 502, 1148, 21720, 417, 13]);
    expect(tok.decode(ids)).toBe(text);
    expect(Math.max(...ids)).toBeLessThan(tok.vocabSize);
  });

  it("treats special-token strings as plain text", () => {
    const ids = tok.encode("a <|endoftext|> b");
    expect(Array.from(ids)).not.toContain(50256);
    expect(tok.decode(ids)).toBe("a <|endoftext|> b");
  });

  it("gives character offsets on character boundaries, also for multi-token characters", () => {
    const text = "café 🐋 done";
    const ids = tok.encode(text);
    const offsets = tok.charOffsets(ids);
    expect(offsets.length).toBe(ids.length + 1);
    expect(offsets[ids.length]).toBe(text.length);
    const pieces = Array.from(ids, (_, i) => text.slice(offsets[i], offsets[i + 1]));
    expect(pieces.join("")).toBe(text);
    expect(pieces).toContain(" done");
  });
});

describe("createTokenizer determinism across calls", () => {
  it("a decode that ends inside a character does not shift later offsets or text", async () => {
    const { createTokenizer } = await import("./createTokenizer.ts");
    const tok = createTokenizer();
    const text = " the 你好 world";
    const ids = tok.encode(text);
    const clean = Array.from(tok.charOffsets(ids));
    expect(tok.decode(ids)).toBe(text);
    // 19526 is a token holding only the first bytes of a multi-byte character.
    tok.decode([19526]);
    expect(Array.from(tok.charOffsets(ids))).toEqual(clean);
    expect(tok.decode(ids)).toBe(text);
    expect(clean).toEqual([0, 4, 5, 5, 6, 6, 7, 13]);
  });

  it("decode equals the text for real prose, and offsets are monotone and end at its length", async () => {
    const { createTokenizer } = await import("./createTokenizer.ts");
    const tok = createTokenizer();
    const text = "Call me Ishmael. Émile’s café — naïve 🐋 whales, 東京 and “quotes”.\r\n\ttab";
    const ids = tok.encode(text);
    expect(tok.decode(ids)).toBe(text);
    const off = Array.from(tok.charOffsets(ids));
    expect(off.length).toBe(ids.length + 1);
    expect(off.at(-1)).toBe(text.length);
    for (let i = 1; i < off.length; i++) expect(off[i]!).toBeGreaterThanOrEqual(off[i - 1]!);
  });
});
