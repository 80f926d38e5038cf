import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import { DatanetError } from "../upload/errors.ts";

/**
 * A JSON response in which bigints are decimal strings (ids, amounts, nonces), so no number loses precision.
 *
 * @example
 * return json(c, { datanetId: 1n }, 201);
 */
export function json(c: Context, value: unknown, status: ContentfulStatusCode = 200): Response {
  const body = JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
  return c.newResponse(body, status, { "content-type": "application/json; charset=utf-8" });
}

/**
 * Validates `value` with a Zod schema; a failure is 400 `INVALID_REQUEST` listing the issues by path.
 *
 * @example
 * const body = parse(ReviewBody, await c.req.json(), 'Send {"reviews":[{"contributionId":"1","verdict":"accept"}]}.');
 */
export function parse<T extends z.ZodType>(schema: T, value: unknown, hint: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
  throw new DatanetError(400, "INVALID_REQUEST", `invalid request: ${issues}`, hint);
}

/**
 * The JSON body of a request, or 400 when it is not JSON.
 *
 * @example
 * const raw = await readJson(c);
 */
export async function readJson(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch (cause) {
    throw new DatanetError(
      400,
      "INVALID_REQUEST",
      "the body is not JSON",
      "Send a JSON body with content-type application/json.",
      {
        cause,
      },
    );
  }
}
