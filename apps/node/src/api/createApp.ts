import { nodeSchemas as s } from "@tributary/sdk";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../context/NodeContext.ts";
import { isGatewayPath, openAiErrorResponse } from "../gateway/routes/errors.ts";
import { ApiError, type ApiErrorBody } from "./ApiError.ts";
import { type ClientRateLimitParameters, clientRateLimit } from "./clientRateLimit.ts";
import { createBodyLimit, DEFAULT_JSON_BODY_BYTES, type RouteBodyLimit } from "./createBodyLimit.ts";
import { createRouter, defineRoute, type RouteDoc, routeDocsOf } from "./defineRoute.ts";
import { createJsonLogger, logRequest, REQUEST_ID, requestObserver } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { buildOpenApiDocument, type OpenApiDocument } from "./openapi/buildOpenApiDocument.ts";
import { epochsRouteDocs } from "./openapi/epochsRouteDocs.ts";
import { gatewayRouteDocs } from "./openapi/gatewayRouteDocs.ts";
import { renderDocsPage } from "./openapi/renderDocsPage.ts";

/** Answer of the readiness check (`GET /health/ready`); `ok: false` answers 503. */
export type Readiness = {
  ok: boolean;
  checks: Record<string, { ok: boolean; error?: string } & Record<string, unknown>>;
};

/** Options of {@link createApp}. */
export type CreateAppParameters = {
  /**
   * Largest request body of a route that declares no limit of its own (JSON routes), in bytes (default 64 KiB).
   * Routes that need more declare it (`RouteDoc.maxBodyBytes`: uploads 64 MiB, the gateway's completions 1 MiB).
   */
  maxBodyBytes?: number;
  /** Per-client limit on the costly public routes (default: none). */
  clientRateLimit?: ClientRateLimitParameters;
  /**
   * Body limits by route, overriding what the routes declare: `{ "POST /v1/chat/completions": 4 << 20 }` (the
   * path as the route is written, with `:params`).
   */
  routeBodyLimits?: Record<string, number>;
  /** Sub-apps to mount at the root, e.g. the attribution routes. */
  routes?: Hono[];
  /** Extra fields reported by `GET /health` (the chain, the payment token). */
  health?: () => Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Readiness checks of `GET /health/ready` (default: ready, no checks). */
  ready?: () => Promise<Readiness>;
  /** The node's version (in `/health` and the OpenAPI document). */
  version?: string;
  /** Metrics registry served at `GET /metrics` (a new one by default). */
  metrics?: Metrics;
  /** Request and error log (default: JSON lines on stderr, errors only). */
  log?: Logger;
  /**
   * Documentation of routes written without `defineRoute` that the OpenAPI document includes when a
   * mounted route has the same method and path (default: the OpenAI-compatible gateway routes and the
   * epochs routes).
   */
  extraDocs?: readonly RouteDoc[];
};

const startedAt = Date.now();

/**
 * The node's HTTP app: request ids and the request log, HTTP metrics, one error shape for everything
 * thrown, a body size limit, health (`/health`, `/health/ready`), `/metrics`, the OpenAPI document
 * (`/openapi.json`) and its reference page (`/docs`), and the domain routes mounted in. Tests call
 * `app.request()` in process; `startHttp` serves it on a port.
 *
 * @example
 * const app = createApp({ routes: [createAttributionRoutes({ loadIndex })], version: "0.1.0" });
 */
export function createApp(params: CreateAppParameters = {}): Hono {
  const app = new Hono();
  const maxBodyBytes = params.maxBodyBytes ?? DEFAULT_JSON_BODY_BYTES;
  const log = params.log ?? createJsonLogger({ level: "error" });
  const metrics = params.metrics ?? createMetrics();
  const version = params.version ?? "0.0.0";
  registerHttpMetrics(app, metrics, log);
  if (params.clientRateLimit) app.use("*", clientRateLimit(params.clientRateLimit));
  let bodyLimits: RouteBodyLimit[] | undefined;
  app.use(
    "*",
    createBodyLimit({
      defaultBytes: maxBodyBytes,
      // The routes are mounted below; their limits are collected at the first request.
      rules: () => {
        bodyLimits ??= routeBodyLimitsOf(app, [own.app, ...(params.routes ?? [])], params);
        return bodyLimits;
      },
    }),
  );

  let document: OpenApiDocument | undefined;
  const openApi = () => {
    document ??= buildOpenApiDocument(documentedRoutes(app, [own.app, ...(params.routes ?? [])], params), {
      version,
      description:
        "The HTTP API of a Tributary node: datanets, contributions, uploads, curation, versions, attribution, the OpenAI-compatible payable gateway, and the node's health and metrics.",
    });
    return document;
  };
  const own = createRouter().add(
    defineRoute({
      method: "get",
      path: "/health",
      summary: "Liveness: the process answers",
      tags: ["node"],
      responses: { 200: { description: "Alive.", schema: s.Health } },
      handler: async () => ({
        ok: true,
        version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
        ...((await params.health?.()) ?? {}),
      }),
    }),
    defineRoute({
      method: "get",
      path: "/health/ready",
      summary: "Readiness: database, chain RPC and indexer lag",
      description:
        "503 when a check fails: the database does not answer, the chain RPC does not answer, or the indexer is more blocks behind the head than the node allows.",
      tags: ["node"],
      responses: {
        200: { description: "Ready.", schema: s.Readiness },
        503: { description: "Not ready; `checks` says what failed.", schema: s.Readiness },
      },
      handler: async ({ c }) => {
        const r = (await params.ready?.()) ?? { ok: true, checks: {} };
        return c.json(r, r.ok ? 200 : 503);
      },
    }),
    defineRoute({
      method: "get",
      path: "/metrics",
      summary: "Prometheus metrics (text exposition format 0.0.4)",
      tags: ["node"],
      responses: {
        200: { description: "The metrics.", contentType: "text/plain; version=0.0.4", schema: s.MetricsText },
      },
      handler: async ({ c }) =>
        c.body(await metrics.render(), 200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }),
    }),
    defineRoute({
      method: "get",
      path: "/openapi.json",
      summary: "This API as an OpenAPI 3.1 document",
      tags: ["node"],
      responses: { 200: { description: "The OpenAPI document, generated from the route schemas." } },
      handler: ({ c }) => c.json(openApi()),
    }),
    defineRoute({
      method: "get",
      path: "/docs",
      summary: "Browsable API reference (HTML)",
      tags: ["node"],
      responses: { 200: { description: "A self-contained HTML page.", alternatives: ["text/html"] } },
      handler: ({ c }) => c.html(renderDocsPage(openApi())),
    }),
  );
  app.route("/", own.app);
  for (const routes of params.routes ?? []) app.route("/", routes);
  app.notFound((c) =>
    c.json<ApiErrorBody>(
      {
        error: {
          code: "NOT_FOUND",
          message: `no route ${c.req.method} ${c.req.path}`,
          hint: "Check the method and path against the API reference (GET /docs, GET /openapi.json).",
        },
      },
      404,
    ),
  );
  app.onError((error, c) => {
    // The gateway's routes answer in OpenAI's shape, also when the app's own middleware refuses the request
    // (body limit, client rate limit): OpenAI clients read `error.code` and `error.type`.
    if (isGatewayPath(c.req.path)) return openAiErrorResponse({ log }, error, c);
    if (error instanceof ApiError) {
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      return c.json<ApiErrorBody>(
        { error: { code: error.code, message: error.message, hint: error.hint } },
        error.status,
      );
    }
    if (error instanceof HTTPException) {
      return c.json<ApiErrorBody>(
        {
          error: {
            code: "HTTP_ERROR",
            message: error.message || "request refused",
            hint: "Check the request against the API reference.",
          },
        },
        error.status as 400,
      );
    }
    log("error", "http: unhandled error", {
      method: c.req.method,
      path: c.req.path,
      requestId: c.get(REQUEST_ID as never),
      error,
    });
    return c.json<ApiErrorBody>(
      {
        error: {
          code: "INTERNAL",
          message: "the node failed to handle this request",
          hint: "Retry; if it persists, check the node's logs (search for the X-Request-Id of this response).",
        },
      },
      500,
    );
  });
  return app;
}

function registerHttpMetrics(app: Hono, metrics: Metrics, log: Logger): void {
  const requests = metrics.counter("tributary_http_requests_total", "HTTP requests answered.", [
    "method",
    "route",
    "status",
  ]);
  const duration = metrics.histogram(
    "tributary_http_request_duration_seconds",
    "Time to answer an HTTP request (to the response headers for streams), in seconds.",
    ["method", "route"],
  );
  const rss = metrics.gauge(
    "process_resident_memory_bytes",
    "Resident memory of the node process, in bytes.",
  );
  const heap = metrics.gauge("nodejs_heap_used_bytes", "V8 heap in use, in bytes.");
  const heapTotal = metrics.gauge("nodejs_heap_total_bytes", "V8 heap allocated, in bytes.");
  const external = metrics.gauge(
    "nodejs_external_memory_bytes",
    "Memory of C++ objects bound to JS, in bytes.",
  );
  const uptime = metrics.gauge("process_uptime_seconds", "Seconds since the node process started.");
  const start = metrics.gauge("process_start_time_seconds", "Start time of the process, in Unix seconds.");
  metrics.onCollect(() => {
    const m = process.memoryUsage();
    rss.set(m.rss);
    heap.set(m.heapUsed);
    heapTotal.set(m.heapTotal);
    external.set(m.external);
    uptime.set(process.uptime());
    start.set(Math.round(Date.now() / 1000 - process.uptime()));
  });
  const logLine = logRequest(log);
  app.use(
    "*",
    requestObserver((r) => {
      requests.inc({ method: r.method, route: r.route, status: r.status });
      duration.observe(r.durationSeconds, { method: r.method, route: r.route });
      logLine(r);
    }),
  );
}

/** Every documented route that is mounted: the sub-apps' own docs, and the extra docs matching a mounted route. */
function documentedRoutes(app: Hono, subApps: Hono[], params: CreateAppParameters): RouteDoc[] {
  const docs = subApps.flatMap((sub) => routeDocsOf(sub));
  const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
  const known = new Set(docs.map((d) => key(d.method, d.path)));
  const mounted = new Set(app.routes.map((r) => key(r.method, r.path)));
  for (const d of params.extraDocs ?? [...gatewayRouteDocs, ...epochsRouteDocs]) {
    const k = key(d.method, d.path);
    if (mounted.has(k) && !known.has(k)) {
      docs.push(d);
      known.add(k);
    }
  }
  return docs;
}

/** The body limits the mounted routes declare, then the app's overrides (`"POST /v1/claims": bytes`). */
function routeBodyLimitsOf(app: Hono, subApps: Hono[], params: CreateAppParameters): RouteBodyLimit[] {
  const overrides: RouteBodyLimit[] = Object.entries(params.routeBodyLimits ?? {}).map(
    ([route, maxBytes]) => {
      const [method = "", path = ""] = route.split(" ");
      return { method: method.toUpperCase(), path, maxBytes };
    },
  );
  const declared = documentedRoutes(app, subApps, params)
    .filter((d) => d.maxBodyBytes !== undefined)
    .map((d) => ({
      method: d.method.toUpperCase(),
      path: d.path,
      maxBytes: d.maxBodyBytes!,
      ...(d.bodyReadByHandler ? { handlerReads: true } : {}),
    }));
  return [...overrides, ...declared];
}
