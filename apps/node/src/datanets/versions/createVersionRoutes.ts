import type { Context } from "hono";
import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { ApiError } from "../../api/ApiError.ts";
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

const idParam = z.string().regex(/^\d{1,10}$/, "a decimal id");
const versionParam = z.string().regex(/^[1-9]\d{0,9}$/, "a version number from 1");
const page = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^\d{1,10}$/, "the nextCursor of the previous page")
    .optional(),
});
const exportQuery = z.strictObject({ file: z.enum(["data.jsonl", "README.md", "manifest.json"]).optional() });
const publishBody = z.strictObject({});

function parse<T extends z.ZodType>(schema: T, value: unknown, hint: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join(".") || "(value)"}: ${i.message}`).join("; ");
  throw new ApiError(400, "INVALID_REQUEST", `invalid request: ${issues}`, hint);
}

function json(c: Context, value: unknown, status: ContentfulStatusCode = 200): Response {
  const body = JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
  return c.newResponse(body, status, { "content-type": "application/json; charset=utf-8" });
}

/** Turns a `VersionError` into the API's error (one JSON shape, status by code); rethrows anything else. */
function apiErrorOf(error: unknown): unknown {
  if (!(error instanceof VersionError)) return error;
  return new ApiError(statusOf[error.code], error.code, error.message, error.hint, { cause: error });
}

const paths = (c: Context) => ({
  datanetId: BigInt(parse(idParam, c.req.param("id"), "Use a decimal datanet id in the path.")),
  version: (v = c.req.param("version")) =>
    Number(
      parse(
        versionParam,
        v,
        "Use a version number from 1 in the path (GET /v1/datanets/:id/versions lists them).",
      ),
    ),
});

/**
 * The version routes of datanets as a Hono sub-app (mount it with `createNode({ routes: [createVersionRoutes] })`):
 *
 * - `GET /v1/datanets/:id/versions?limit=1..500&cursor=<nextCursor>` → `{ items, nextCursor }`, ascending version;
 * - `GET /v1/datanets/:id/versions/:version` → the version, its index on this node and its `manifest`;
 * - `POST /v1/datanets/:id/versions` (body `{}` or none) → 201 with the publication (`publishVersion` with the
 *   node's key, which must be a curator of the datanet);
 * - `GET /v1/datanets/:id/versions/:version/export` → `{ …, files: { "data.jsonl", "README.md", "manifest.json" } }`,
 *   or one file as is with `?file=data.jsonl|README.md|manifest.json`.
 *
 * Bigints are decimal strings. Errors are `{ error: { code, message, hint } }`: 400 `INVALID_REQUEST`,
 * 403 `NODE_NOT_CURATOR`, 404 `DATANET_NOT_FOUND` / `VERSION_NOT_FOUND` / `MANIFEST_MISSING`, 409
 * `EMPTY_VERSION` / `VERSION_UNCHANGED` / `CONTENT_MISSING`, 502/503/504 for chain failures.
 *
 * Publishing spends the node's gas: expose `POST` only behind the node's operator access.
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
  const app = new Hono();

  app.get("/v1/datanets/:id/versions", async (c) => {
    const { datanetId } = paths(c);
    const q = parse(page, c.req.query(), "Use ?limit=1..500&cursor=<nextCursor>.");
    try {
      const result = await listVersions(ctx, {
        datanetId,
        limit: q.limit,
        ...(q.cursor === undefined ? {} : { cursor: Number(q.cursor) }),
      });
      return json(c, result);
    } catch (error) {
      throw apiErrorOf(error);
    }
  });

  app.get("/v1/datanets/:id/versions/:version", async (c) => {
    const p = paths(c);
    try {
      return json(c, await getVersionDetail(ctx, { datanetId: p.datanetId, version: p.version() }));
    } catch (error) {
      throw apiErrorOf(error);
    }
  });

  app.post("/v1/datanets/:id/versions", async (c) => {
    const { datanetId } = paths(c);
    const raw = await c.req.text();
    let body: unknown = {};
    if (raw.trim() !== "") {
      try {
        body = JSON.parse(raw);
      } catch (cause) {
        throw new ApiError(400, "INVALID_REQUEST", "the body is not JSON", "Send no body, or {}.", { cause });
      }
    }
    parse(publishBody, body, "Send no body, or {}: the version holds every accepted contribution.");
    try {
      return json(c, await publisher.publishVersion(datanetId), 201);
    } catch (error) {
      throw apiErrorOf(error);
    }
  });

  app.get("/v1/datanets/:id/versions/:version/export", async (c) => {
    const p = paths(c);
    const q = parse(exportQuery, c.req.query(), "Use ?file=data.jsonl|README.md|manifest.json, or no query.");
    try {
      const rendered = await renderVersionExport(ctx, { datanetId: p.datanetId, version: p.version() });
      const name = `datanet-${p.datanetId}-v${rendered.version}`;
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
          return json(c, {
            datanetId: p.datanetId,
            version: rendered.version,
            contributionsRoot: rendered.contributionsRoot,
            manifestURI: rendered.manifestURI,
            files: {
              "data.jsonl": rendered.dataJsonl,
              "README.md": rendered.readme,
              "manifest.json": new TextDecoder().decode(rendered.manifestBytes),
            },
          });
      }
    } catch (error) {
      throw apiErrorOf(error);
    }
  });

  return app;
}
