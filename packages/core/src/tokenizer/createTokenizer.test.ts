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
