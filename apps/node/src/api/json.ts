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
