import { nodeSchemas as s } from "@tributary/sdk";
import type { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ApiError } from "../../api/ApiError.ts";
import { createRouter, defineRoute } from "../../api/defineRoute.ts";
import type { NodeContext } from "../../context/NodeContext.ts";
import { renderVersionExport } from "../export/renderVersionExport.ts";
import { createPublishService, type PublishService } from "../publish/createPublishService.ts";
import { VersionError, type VersionErrorCode } from "../publish/errors.ts";
import { getVersionDetail } from "./getVersionDetail.ts";
import { listVersions } from "./listVersions.ts";

/** Options of {@link createVersionRoutes}. */
export type CreateVersionRoutesOptions = {
  /** The publishing service to use (one is created from `ctx` when omitted). */
  publisher?: PublishService;
  /**
   * On creation, finish publications a crash left in flight, then index versions published by others
   * (`indexPublishedVersions`), in the background (default true when the node has a chain).
   */
  recoverOnStart?: boolean;
};

const statusOf: Record<VersionErrorCode, ContentfulStatusCode> = {
  NO_CHAIN: 503,
  DATANET_NOT_FOUND: 404,
  VERSION_NOT_FOUND: 404,
  NODE_NOT_CURATOR: 403,
  EMPTY_VERSION: 409,
  VERSION_UNCHANGED: 409,
  CONTENT_MISSING: 409,
  MANIFEST_MISSING: 404,
  MANIFEST_INVALID: 422,
  ACCOUNT_CANNOT_SIGN: 500,
  PUBLISH_REVERTED: 502,
  PUBLISH_TIMEOUT: 504,
  RPC_ERROR: 503,
};

/** Turns a `VersionError` into the API's error (one JSON shape, status by code); rethrows anything else. */
function apiErrorOf(error: unknown): unknown {
  if (!(error instanceof VersionError)) return error;
  return new ApiError(statusOf[error.code], error.code, error.message, error.hint, { cause: error });
}

const hints = {
  params:
    "Use a decimal datanet id and a version number from 1 in the path (GET /v1/datanets/:id/versions lists them).",
  query: "Use ?limit=1..500&cursor=<nextCursor>.",
};

/**
 * The version routes of datanets as a Hono sub-app (mount it with `createNode({ routes: [createVersionRoutes] })`):
 *
 * - `GET /v1/datanets/:id/versions?limit=1..500&cursor=<nextCursor>` → `{ items, nextCursor }`, ascending version;
 * - `GET /v1/datanets/:id/versions/:version` → the version, its index on this node and its `manifest`;
 * - `POST /v1/datanets/:id/versions` (operator; body `{}` or none) → 201 with the publication (`publishVersion` with the
 *   node's key, which must be a curator of the datanet);
 * - `GET /v1/datanets/:id/versions/:version/export` → `{ …, files: { "data.jsonl", "README.md", "manifest.json" } }`,
 *   or one file as is with `?file=data.jsonl|README.md|manifest.json`.
 *
 * Bigints are decimal strings. Errors are `{ error: { code, message, hint } }`: 400 `INVALID_REQUEST`,
 * 403 `NODE_NOT_CURATOR`, 404 `DATANET_NOT_FOUND` / `VERSION_NOT_FOUND` / `MANIFEST_MISSING`, 409
 * `EMPTY_VERSION` / `VERSION_UNCHANGED` / `CONTENT_MISSING`, 502/503/504 for chain failures.
 *
 * Publishing spends the node's gas: `POST` is an operator route (`requireOperator`).
 *
 * @example
 * const node = await createNode({ dataDir, chain, routes: [createVersionRoutes] });
 * const res = await node.app.request("/v1/datanets/1/versions", { method: "POST" });
 */
export function createVersionRoutes(ctx: NodeContext, options: CreateVersionRoutesOptions = {}): Hono {
  const publisher = options.publisher ?? createPublishService(ctx);
  if ((options.recoverOnStart ?? true) && ctx.chain) {
    void (async () => {
      const { completed, failed } = await publisher.recoverPublications();
      if (completed.length + failed.length > 0) {
        ctx.log("info", `versions: recovered ${completed.length} publication(s), ${failed.length} failed`);
      }
      for (const outcome of await publisher.indexPublishedVersions()) {
        ctx.log(
          outcome.status === "indexed" ? "info" : "warn",
          "versions: index of a version published elsewhere",
          {
            datanetId: outcome.datanetId.toString(),
            version: outcome.version,
            status: outcome.status,
            ...(outcome.detail ? { detail: outcome.detail } : {}),
          },
        );
      }
    })().catch((error: unknown) =>
      ctx.log("error", `versions: startup recovery failed: ${(error as Error).message}`),
    );
  }
  const router = createRouter(ctx);
  router.add(
    defineRoute({
      method: "get",
      path: "/v1/datanets/:id/versions",
      summary: "List a datanet's published versions",
      tags: ["versions"],
      params: s.DatanetIdParams,
      query: s.PageQuery,
      hints,
      responses: { 200: { description: "A page of versions, ascending.", schema: s.VersionPage } },
      errors: { 404: ["DATANET_NOT_FOUND"] },
      handler: async ({ params, query: q }) => {
        try {
          return await listVersions(ctx, {
            datanetId: BigInt(params.id),
            limit: q.limit,
            ...(q.cursor === undefined ? {} : { cursor: Number(q.cursor) }),
          });
        } catch (error) {
          throw apiErrorOf(error);
        }
      },
    }),

    defineRoute({
      method: "get",
      path: "/v1/datanets/:id/versions/:version",
      summary: "One version with its attribution index on this node and its provenance manifest",
      tags: ["versions"],
      params: s.VersionParams,
      hints,
      responses: { 200: { description: "The version.", schema: s.VersionDetail } },
      errors: { 404: ["DATANET_NOT_FOUND", "VERSION_NOT_FOUND"], 422: ["MANIFEST_INVALID"] },
      handler: async ({ params }) => {
        try {
          return await getVersionDetail(ctx, {
            datanetId: BigInt(params.id),
            version: Number(params.version),
          });
        } catch (error) {
          throw apiErrorOf(error);
        }
      },
    }),

    defineRoute({
      method: "post",
      path: "/v1/datanets/:id/versions",
      summary: "Publish every accepted contribution as the next version (node key)",
      description:
        "Builds the manifest and the attribution index, then calls publishVersion with the node's key (the node must be a curator). No body, or {}.",
      tags: ["versions"],
      operator: true,
      params: s.DatanetIdParams,
      body: s.PublishVersionBody,
      hints: { ...hints, body: "Send no body, or {}: the version holds every accepted contribution." },
      responses: { 201: { description: "The publication (mined).", schema: s.Publication } },
      errors: {
        403: ["NODE_NOT_CURATOR"],
        404: ["DATANET_NOT_FOUND"],
        409: ["EMPTY_VERSION", "VERSION_UNCHANGED", "CONTENT_MISSING"],
        502: ["PUBLISH_REVERTED"],
        503: ["NO_CHAIN", "RPC_ERROR"],
        504: ["PUBLISH_TIMEOUT"],
      },
      handler: async ({ params }) => {
        try {
          return await publisher.publishVersion(BigInt(params.id));
        } catch (error) {
          throw apiErrorOf(error);
        }
      },
    }),

    defineRoute({
      method: "get",
      path: "/v1/datanets/:id/versions/:version/export",
      summary: "Export a version: data.jsonl, dataset card (README.md) and manifest",
      description: "Without `?file`, one JSON with every file; with `?file=`, that file as is (a download).",
      tags: ["versions"],
      params: s.VersionParams,
      query: s.ExportQuery,
      hints: { ...hints, query: "Use ?file=data.jsonl|README.md|manifest.json, or no query." },
      responses: {
        200: {
          description: "The export.",
          schema: s.VersionExport,
          alternatives: ["application/x-ndjson", "text/markdown"],
        },
      },
      errors: {
        404: ["DATANET_NOT_FOUND", "VERSION_NOT_FOUND", "MANIFEST_MISSING"],
        409: ["CONTENT_MISSING"],
      },
      handler: async ({ c, params, query: q }) => {
        const datanetId = BigInt(params.id);
        try {
          const rendered = await renderVersionExport(ctx, { datanetId, version: Number(params.version) });
          const name = `datanet-${datanetId}-v${rendered.version}`;
          switch (q.file) {
            case "data.jsonl":
              return c.newResponse(rendered.dataJsonl, 200, {
                "content-type": "application/x-ndjson; charset=utf-8",
                "content-disposition": `attachment; filename="${name}.jsonl"`,
              });
            case "README.md":
              return c.newResponse(rendered.readme, 200, { "content-type": "text/markdown; charset=utf-8" });
            case "manifest.json":
              return c.newResponse(new TextDecoder().decode(rendered.manifestBytes), 200, {
                "content-type": "application/json; charset=utf-8",
                "content-disposition": `attachment; filename="${name}.manifest.json"`,
              });
            case undefined:
              return {
                datanetId,
                version: rendered.version,
                contributionsRoot: rendered.contributionsRoot,
                manifestURI: rendered.manifestURI,
                files: {
                  "data.jsonl": rendered.dataJsonl,
                  "README.md": rendered.readme,
                  "manifest.json": new TextDecoder().decode(rendered.manifestBytes),
                },
              };
          }
        } catch (error) {
          throw apiErrorOf(error);
        }
      },
    }),
  );

  return router.app;
}
