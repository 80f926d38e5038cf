import { z } from "zod";
import { DecimalString, Uint } from "./common.ts";

/** Largest `maxCount` of a span-v1 request (`MAX_SPAN_MAX_COUNT` of @tributary/core). */
export const MAX_ATTRIBUTION_MAX_COUNT = 10_000;

/** Body of `POST /v1/attribution`. */
export const AttributionRequest = z
  .strictObject({
    datanetId: Uint,
    version: z
      .number()
      .int()
      .nonnegative()
      .max(2 ** 32 - 1),
    text: z.string(),
    minTokens: z.number().int().min(1).max(1024).optional(),
    maxCount: z.number().int().min(1).max(MAX_ATTRIBUTION_MAX_COUNT).optional(),
  })
  .meta({
    id: "AttributionRequest",
    example: { datanetId: "1", version: 1, text: "Call me Ishmael. Some years ago…", minTokens: 8 },
  });

/** A span of the output found in the datanet version. */
export const AttributedSpan = z
  .object({
    tokenStart: z.number().int(),
    tokenEnd: z.number().int(),
    charStart: z.number().int(),
    charEnd: z.number().int(),
    text: z.string(),
    occurrences: z.number().int(),
    sources: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: "AttributedSpan" });

/** The span-v1 result. */
export const SpanAttribution = z
  .object({
    algorithm: z.string(),
    tokenizer: z.string(),
    params: z.object({ minTokens: z.number().int(), maxCount: z.number().int() }),
    outputTokens: z.number().int(),
    attributedTokens: z.number().int(),
    contributions: z.array(z.object({ contributionId: DecimalString, ppm: z.number().int() })),
    spans: z.array(AttributedSpan),
  })
  .meta({ id: "SpanAttribution" });

/** Answer of `POST /v1/attribution` (canonical JSON: equal requests get equal bytes). */
export const AttributionResponse = z
  .object({ datanetId: DecimalString, version: z.number().int(), attribution: SpanAttribution })
  .meta({ id: "AttributionResponse" });
