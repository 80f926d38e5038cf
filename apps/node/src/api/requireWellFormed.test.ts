import { describe, expect, it } from "vitest";
import { ApiError } from "./ApiError.ts";
import {
  findIllFormedText,
  isWellFormedText,
  requireWellFormed,
  toWellFormedText,
} from "./requireWellFormed.ts";

describe("requireWellFormed", () => {
  it("names the JSON path of the first lone surrogate, in values and in keys, at any depth", () => {
    expect(findIllFormedText({ a: "ok", b: [1, null, { c: "x\udc00" }] })).toBe("b[2].c");
    expect(findIllFormedText({ "a-b": { "\ud800": 1 } })).toBe('["a-b"] (a key)');
    expect(findIllFormedText("\ud83d")).toBe("(value)");
    let deep: unknown = "\udc00";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findIllFormedText(deep)).toMatch(/^(\[0\]){16}…(\[0\]){16}$/);
  });

  it("lets well-formed text through (pairs, U+FFFD, empty), numbers and booleans", () => {
    expect(
      findIllFormedText({ a: "\ud83d\udc33", b: "\ufffd", c: "", d: 1, e: true, f: null }),
    ).toBeUndefined();
    expect(() => requireWellFormed({ prompt: "whale \ud83d\udc33" }, "body")).not.toThrow();
  });

  it("throws 400 INVALID_TEXT with the path and a hint", () => {
    let error: unknown;
    try {
      requireWellFormed({ messages: [{ content: "\udc00" }] }, "body");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "INVALID_TEXT" });
    expect((error as ApiError).message).toContain("messages[0].content");
    expect((error as ApiError).hint).toMatch(/well-formed UTF-8/);
  });

  it("replaces lone surrogates with U+FFFD and keeps pairs", () => {
    expect(toWellFormedText("a\udc00b\ud83d\udc33\ud800")).toBe("a\ufffdb\ud83d\udc33\ufffd");
    expect(isWellFormedText(toWellFormedText("\udc00\ud800"))).toBe(true);
  });

  it("with the JSON text, skips the walk when no surrogate escape is in it, and still finds one when there is", () => {
    const bad = '{"prompt":"whale \\udc00"}';
    expect(() => requireWellFormed(JSON.parse(bad), "body", bad)).toThrow(/prompt/);
    const pair = '{"prompt":"\\ud83d\\udc33","literal":"\\\\udc00"}';
    expect(() => requireWellFormed(JSON.parse(pair), "body", pair)).not.toThrow();
  });
});
