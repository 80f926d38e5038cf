import { nodeSchemas } from "@tributary/sdk";
import type { Hono } from "hono";
import { ApiError, type ApiErrorBody } from "../api/ApiError.ts";
import { createRouter, defineRoute } from "../api/defineRoute.ts";
import {
  AttributionError,
  type AttributionIndex,
  attributeSpans,
  canonicalJson,
  createTokenizer,
  DEFAULT_SPAN_PARAMETERS,
  type Tokenizer,
} from "./core.ts";

/** Looks up the attribution index of a published datanet version; undefined when there is none. */
export type LoadIndex = (
  datanetId: bigint,
  version: number,
) => AttributionIndex | undefined | Promise<AttributionIndex | undefined>;

/** Parameters of {@link createAttributionRoutes}. */
export type CreateAttributionRoutesParameters = {
  readonly loadIndex: LoadIndex;
  /** Longest text accepted, in UTF-16 code units (default 100,000); longer gets 413. */
  readonly maxTextChars?: number;
  /** Defaults to r50k_base, the tokenizer of every index this node builds. */
  readonly tokenizer?: Tokenizer;
};

/** Body of `POST /v1/attribution` (the schema of `nodeSchemas` in @tributary/sdk). */
export const AttributionRequest = nodeSchemas.AttributionRequest;

const bodyHint =
  'Send JSON like {"datanetId":"1","version":0,"text":"..."} with optional integer minTokens and maxCount.';

function badRequest(message: string): ApiError {
  return new ApiError(400, "INVALID_BODY", message, bodyHint);
}

/**
 * The attribution API as a Hono sub-app: `POST /v1/attribution` with `{ datanetId, version, text,
 * minTokens?, maxCount? }` returns `{ datanetId, version, attribution }` where `attribution` is the span-v1
 * result, serialized as canonical JSON (bigints as decimal strings) so equal requests get equal bytes.
 * Errors use the API's one shape `{ error: { code, message, hint } }`: 400 malformed body, 404 unknown
 * datanet version, 413 oversize text.
 *
 * @example
 * const routes = createAttributionRoutes({ loadIndex: (id, v) => indexes.get(`${id}/${v}`) });
 * const res = await routes.request("/v1/attribution", { method: "POST", body: JSON.stringify(body) });
 */
export function createAttributionRoutes(parameters: CreateAttributionRoutesParameters): Hono {
  const maxTextChars = parameters.maxTextChars ?? 100_000;
  const tokenizer = parameters.tokenizer ?? createTokenizer();
  const router = createRouter();
  router.add(
    defineRoute({
      method: "post",
      path: "/v1/attribution",
      summary: "Attribute a text to the contributions of a published datanet version (span-v1)",
      description:
        "Finds the spans of the text that occur in the version's attribution index and splits 1,000,000 ppm between the contributions they come from. Canonical JSON: equal requests get equal bytes.",
      tags: ["attribution"],
      body: nodeSchemas.AttributionRequest,
      invalidCode: "INVALID_BODY",
      hints: { body: bodyHint },
      maxBodyBytes: maxTextChars * 6 + 4096,
      // A JSON string escapes at most 6 bytes per code unit; anything longer cannot hold an acceptable text.
      checkRawBody: (raw) => {
        if (raw.length > maxTextChars * 6 + 4096) {
          throw new ApiError(
            413,
            "TEXT_TOO_LARGE",
            `request body of ${raw.length} characters is too large`,
            `Send at most ${maxTextChars} characters of text; split longer outputs.`,
          );
        }
      },
      serialize: canonicalJson as (value: unknown) => string,
      responses: { 200: { description: "The attribution.", schema: nodeSchemas.AttributionResponse } },
      errors: { 404: ["UNKNOWN_DATANET_VERSION"], 413: ["TEXT_TOO_LARGE"] },
      handler: async ({ body }) => {
        if (body.text.length > maxTextChars) {
          throw new ApiError(
            413,
            "TEXT_TOO_LARGE",
            `text of ${body.text.length} characters exceeds the limit of ${maxTextChars}`,
            `Send at most ${maxTextChars} characters; split longer outputs.`,
          );
        }
        const datanetId = BigInt(body.datanetId);
        if (datanetId >= 1n << 256n) throw badRequest("datanetId: larger than uint256");
        const index = await parameters.loadIndex(datanetId, body.version);
        if (index === undefined) {
          throw new ApiError(
            404,
            "UNKNOWN_DATANET_VERSION",
            `datanet ${datanetId} has no published version ${body.version} with an attribution index`,
            "Check the datanet id and version (GET /v1/datanets/:id/versions lists them).",
          );
        }
        const attribution = attributeSpans({
          index,
          tokenizer,
          text: body.text,
          minTokens: body.minTokens ?? DEFAULT_SPAN_PARAMETERS.minTokens,
          maxCount: body.maxCount ?? DEFAULT_SPAN_PARAMETERS.maxCount,
        });
        return { datanetId, version: body.version, attribution };
      },
    }),
  );
  const app = router.app;

  // Same JSON shape as the node's app, so the sub-app also answers correctly when used on its own.
  app.onError((error, c) => {
    if (error instanceof ApiError) {
      return c.json<ApiErrorBody>(
        { error: { code: error.code, message: error.message, hint: error.hint } },
        error.status,
      );
    }
    if (error instanceof AttributionError) {
      const status = error.code === "INVALID_PARAMETER" ? 400 : 500;
      return c.json<ApiErrorBody>(
        { error: { code: error.code, message: error.message, hint: error.hint } },
        status,
      );
    }
    console.error(error);
    return c.json<ApiErrorBody>(
      {
        error: {
          code: "INTERNAL",
          message: "the node failed to attribute this text",
          hint: "Retry; if it persists, check the node's logs.",
        },
      },
      500,
    );
  });
  return app;
}
