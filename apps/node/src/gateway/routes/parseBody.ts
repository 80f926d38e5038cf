import type { Context } from "hono";
import { type Address, getAddress, isAddress } from "viem";
import type { z } from "zod";
import { ApiError } from "../../api/ApiError.ts";
import { parseJsonText } from "../../api/json.ts";
import { requireWellFormed } from "../../api/requireWellFormed.ts";
import { InvalidBodyError } from "./errors.ts";

/**
 * The request's JSON body validated by `schema`; 400 `INVALID_JSON` / `INVALID_BODY` (naming the first bad field,
 * also as OpenAI's `param`) with `hint`.
 *
 * @example
 * const body = await parseBody(c, keyBody, "Send { payer }.");
 */
export async function parseBody<T>(c: Context, schema: z.ZodType<T>, hint: string): Promise<T> {
  const text = await c.req.text();
  const raw = parseJsonText(text, { hint: "Send a JSON object body.", allowEmpty: false });
  requireWellFormed(raw, "body", text);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue && issue.path.length > 0 ? issue.path.join(".") : null;
    throw new InvalidBodyError(
      `invalid request body: ${issue ? `${param ?? "body"}: ${issue.message}` : "malformed"}`,
      hint,
      param,
    );
  }
  return parsed.data;
}

/** `value` as a checksummed address; 400 `INVALID_ADDRESS` naming `field`. */
export function checkAddress(value: string, field: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new ApiError(
      400,
      "INVALID_ADDRESS",
      `${field} '${value}' is not an address`,
      "Pass a 0x-prefixed 20-byte hex address (40 hex digits), e.g. 0x70997970C51812dc3A010C7d01b50e0d17dc79C8.",
    );
  }
  return getAddress(value);
}
