import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { ApiError } from "./ApiError.ts";

/**
 * A JSON response in which bigints are decimal strings (ids, amounts, nonces), so no number loses precision.
 *
 * @example
 * return json(c, { datanetId: 1n }, 201);
 */
export function json(c: Context, value: unknown, status: ContentfulStatusCode = 200): Response {
  return c.newResponse(toJsonText(value), status, { "content-type": "application/json; charset=utf-8" });
}

/**
 * `JSON.stringify` with bigints as decimal strings.
 *
 * @example
 * toJsonText({ amount: 10n }); // '{"amount":"10"}'
 */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
}

/**
 * Validates `value` with a Zod schema; a failure is a 400 {@link ApiError} (`code`, default `INVALID_REQUEST`)
 * whose message lists the issues by path and whose hint is `hint`.
 *
 * @example
 * const body = parse(ReviewBody, raw, 'Send {"reviews":[{"contributionId":"1","verdict":"accept"}]}.');
 */
export function parse<T extends z.ZodType>(
  schema: T,
  value: unknown,
  hint: string,
  code = "INVALID_REQUEST",
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ");
  throw new ApiError(400, code, `invalid request: ${issues}`, hint);
}

/** Bounds on the shape of a JSON body, checked on its text before `JSON.parse` (see {@link parseJsonText}). */
export type JsonShapeLimits = {
  /** Deepest nesting of arrays and objects (default 32). */
  maxDepth?: number;
  /** Most elements of one array or members of one object (default 10,000). */
  maxItems?: number;
};

/** Default {@link JsonShapeLimits}: far beyond any body the API documents, far below what costs a parser seconds. */
export const defaultJsonShapeLimits: Required<JsonShapeLimits> = { maxDepth: 32, maxItems: 10_000 };

/**
 * Why a JSON text is too deep or too wide for `limits`, or `undefined` when it is within them. One pass over the
 * characters with a stack no deeper than `maxDepth`: a megabyte of `[[[[` is refused in milliseconds, before
 * `JSON.parse` spends seconds on it (and `JSON.stringify` overflows the stack on what it built). Malformed JSON
 * passes: `JSON.parse` reports it.
 *
 * @example
 * jsonShapeProblem("[[[1]]]", { maxDepth: 2 }); // "nesting deeper than 2 levels"
 */
export function jsonShapeProblem(text: string, limits: JsonShapeLimits = {}): string | undefined {
  const maxDepth = limits.maxDepth ?? defaultJsonShapeLimits.maxDepth;
  const maxItems = limits.maxItems ?? defaultJsonShapeLimits.maxItems;
  const items: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (items.length === maxDepth) return `nesting deeper than ${maxDepth} levels`;
      items.push(1);
    } else if (c === 0x5d || c === 0x7d) items.pop();
    else if (c === 0x2c && items.length > 0) {
      const n = items[items.length - 1]! + 1;
      if (n > maxItems) return `an array or object with more than ${maxItems} items`;
      items[items.length - 1] = n;
    }
  }
  return undefined;
}

/**
 * Parses a request body's JSON text after checking its shape with {@link jsonShapeProblem}: 400 `code` (default
 * `INVALID_JSON`) when it is not JSON, 400 `JSON_TOO_COMPLEX` when it nests too deep or holds too many items.
 * An empty text is `undefined` (or not JSON, with `allowEmpty: false`).
 *
 * @example
 * const value = parseJsonText(await c.req.text(), { hint: "Send a JSON object body." });
 */
export function parseJsonText(
  text: string,
  options: { hint: string; code?: string; limits?: JsonShapeLimits; allowEmpty?: boolean },
): unknown {
  if (text.trim() === "") {
    if (options.allowEmpty === false)
      throw new ApiError(
        400,
        options.code ?? "INVALID_JSON",
        "the request body is empty, not JSON",
        options.hint,
      );
    return undefined;
  }
  const problem = jsonShapeProblem(text, options.limits);
  if (problem !== undefined)
    throw new ApiError(
      400,
      "JSON_TOO_COMPLEX",
      `the JSON body has ${problem}`,
      "Send the flat JSON object the route documents (GET /docs); no request needs deeper nesting or longer lists.",
    );
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ApiError(
      400,
      options.code ?? "INVALID_JSON",
      `the body is not JSON: ${(cause as Error).message}`,
      options.hint,
      { cause },
    );
  }
}
