import { describe, expect, it } from "vitest";
import { ApiError } from "./ApiError.ts";
import { jsonShapeProblem, parseJsonText } from "./json.ts";

describe("jsonShapeProblem", () => {
  it("counts nesting and items outside strings only", () => {
    expect(jsonShapeProblem("[[[1]]]", { maxDepth: 3 })).toBeUndefined();
    expect(jsonShapeProblem("[[[[1]]]]", { maxDepth: 3 })).toBe("nesting deeper than 3 levels");
    expect(jsonShapeProblem('{"a":{"b":[{}]}}', { maxDepth: 3 })).toBe("nesting deeper than 3 levels");
    // Brackets, commas and escaped quotes inside strings are text, not structure (a prompt may hold any of them).
    const text = JSON.stringify({ prompt: `${"[".repeat(1000)}\\" ${",".repeat(20_000)} {{{` });
    expect(jsonShapeProblem(text, { maxDepth: 2, maxItems: 3 })).toBeUndefined();
    expect(jsonShapeProblem("[1,2,3]", { maxItems: 3 })).toBeUndefined();
    expect(jsonShapeProblem("[1,2,3,4]", { maxItems: 3 })).toBe("an array or object with more than 3 items");
    expect(jsonShapeProblem('{"a":1,"b":2,"c":3,"d":4}', { maxItems: 3 })).toBe(
      "an array or object with more than 3 items",
    );
    // Items are counted per container: three arrays of three are fine.
    expect(jsonShapeProblem("[[1,2,3],[1,2,3],[1,2,3]]", { maxItems: 3 })).toBeUndefined();
  });

  it("refuses a megabyte of [[[[ in milliseconds, before JSON.parse", () => {
    const deep = `${"[".repeat(512 * 1024)}${"]".repeat(512 * 1024)}`;
    const t = performance.now();
    expect(() => parseJsonText(deep, { hint: "h" })).toThrow(ApiError);
    expect(performance.now() - t).toBeLessThan(100);
    try {
      parseJsonText(deep, { hint: "h" });
    } catch (e) {
      expect(e).toMatchObject({ status: 400, code: "JSON_TOO_COMPLEX" });
    }
  });

  it("parses JSON within the bounds; empty is undefined unless refused", () => {
    expect(parseJsonText('{"a":[1,"]"]}', { hint: "h" })).toEqual({ a: [1, "]"] });
    expect(parseJsonText("  ", { hint: "h" })).toBeUndefined();
    expect(() => parseJsonText("", { hint: "h", allowEmpty: false })).toThrow(/empty/);
    expect(() => parseJsonText("{nope", { hint: "h", code: "INVALID_REQUEST" })).toThrow(/not JSON/);
  });
});
