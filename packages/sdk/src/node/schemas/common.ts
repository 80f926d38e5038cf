import { z } from "zod";

/** A decimal id in a path (`/v1/datanets/12`): up to 20 digits. */
export const DecimalIdParam = z.string().regex(/^\d{1,20}$/, "a decimal id");

/** An unsigned integer in a request body: a JSON number (≤ 2^53−1) or a decimal string (any uint256). */
export const Uint = z
  .union([z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), z.string().regex(/^\d{1,78}$/)])
  .meta({ id: "Uint", description: "An unsigned integer: a JSON number up to 2^53−1 or a decimal string." });

/** An integer the node sends as a decimal string (ids, amounts, nonces), so no precision is lost. */
export const DecimalString = z
  .string()
  .regex(/^\d+$/)
  .meta({ id: "DecimalString", description: "An unsigned integer as a decimal string.", example: "42" });

/** `0x`-prefixed hex of exactly `bytes` bytes. */
export const hexOf = (bytes: number) => z.string().regex(new RegExp(`^0x[0-9a-fA-F]{${bytes * 2}}$`));

/** A 32-byte hash (`0x` + 64 hex digits). */
export const Bytes32 = hexOf(32).meta({ id: "Bytes32", description: "32 bytes as 0x-prefixed hex." });

/** An EVM address. */
export const Address = hexOf(20).meta({ id: "Address", description: "An EVM address (0x + 40 hex digits)." });

/** Any `0x`-prefixed hex (signatures, calldata). */
export const HexString = z.string().regex(/^0x[0-9a-fA-F]*$/);

/** `?limit=1..500&cursor=<nextCursor>`: the query of every list route. */
export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .meta({ description: "Page size, 1..500 (default 50)." }),
  cursor: z
    .string()
    .regex(/^\d{1,20}$/, "the nextCursor of the previous page")
    .optional()
    .meta({ description: "The `nextCursor` of the previous page; leave out for the first page." }),
});

/** A page of a list route: `{ items, nextCursor }`, `nextCursor` null on the last page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    nextCursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as ?cursor= to get the next page; null on the last page." }),
  });
}

/** The one error shape of the node's API. */
export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: "Stable, machine-readable code, e.g. DATANET_NOT_FOUND." }),
      message: z.string().meta({ description: "What went wrong, for a person." }),
      hint: z.string().meta({ description: "What to do about it." }),
    }),
  })
  .meta({
    id: "Error",
    example: {
      error: {
        code: "DATANET_NOT_FOUND",
        message: "datanet 9 does not exist",
        hint: "List datanets with GET /v1/datanets.",
      },
    },
  });
