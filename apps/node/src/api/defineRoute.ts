import type { Context, Hono, MiddlewareHandler } from "hono";
import { Hono as HonoApp } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { NodeContext } from "../context/NodeContext.ts";
import { ApiError } from "./ApiError.ts";
import { parse, parseJsonText, toJsonText } from "./json.ts";
import { requireOperator } from "./requireOperator.ts";
import { requireWellFormed } from "./requireWellFormed.ts";

/** HTTP methods a route can have. */
export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** One documented response of a route. */
export type ResponseDoc = {
  description: string;
  /** Schema of the body (JSON unless `contentType` says otherwise). */
  schema?: z.ZodType;
  /** Content type of `schema` (default `application/json`). */
  contentType?: string;
  /** Other content types the route may answer with (a raw file, text), documented without a schema. */
  alternatives?: string[];
  /** An example body (shown on /docs); the schema's own `example` meta is used when absent. */
  example?: unknown;
};

/**
 * What the OpenAPI document knows of a route. Paths are Hono patterns (`/v1/datanets/:id`); the document
 * writes them as `/v1/datanets/{id}`. A 400 (invalid request) is documented for routes with params, query or
 * body, a 401 for operator routes, and `errors` adds error codes by status.
 */
export type RouteDoc = {
  method: HttpMethod;
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** An operator route: needs `Authorization: Bearer <operator token>` when the node has one. */
  operator?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /** Content type of `body` (default `application/json`); the route layer validates JSON bodies only. */
  bodyContentType?: string;
  responses: Record<number, ResponseDoc>;
  /** Error codes the route may answer with, by HTTP status (all in the `{ error: { code, message, hint } }` shape). */
  errors?: Record<number, string[]>;
  /** The body of the route's errors when it is not the API's `{ error: { code, message, hint } }` (the gateway's OpenAI shape). */
  errorSchema?: z.ZodType;
  /**
   * Largest request body of this route, in bytes, enforced by `createApp` while the body is read (413
   * `BODY_TOO_LARGE`). Absent: the app's default for JSON routes (64 KiB).
   */
  maxBodyBytes?: number;
  /**
   * The handler reads the body as a stream and enforces `maxBodyBytes` itself, with its own error (the multipart
   * upload: `readMultipart`, 413 `UPLOAD_TOO_LARGE`), so the app does not buffer the body first.
   */
  bodyReadByHandler?: boolean;
};

/** The validated input a route handler receives. */
export type RouteInput<P, Q, B> = { c: Context; params: P; query: Q; body: B };

/** Output of a schema, or `undefined` when the route declares none. */
type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

/** A route: its documentation, how to validate its input, and its handler. */
export type RouteDefinition<
  P extends z.ZodType | undefined = z.ZodType | undefined,
  Q extends z.ZodType | undefined = z.ZodType | undefined,
  B extends z.ZodType | undefined = z.ZodType | undefined,
> = Omit<RouteDoc, "params" | "query" | "body"> & {
  params?: P;
  query?: Q;
  body?: B;
  /** Hints of the 400 answers, by what failed validation (a generic one pointing at /docs otherwise). */
  hints?: { params?: string; query?: string; body?: string };
  /** Code of a validation failure (default `INVALID_REQUEST`). */
  invalidCode?: string;
  /** Runs on the raw text of a JSON body before it is parsed (e.g. to refuse an oversize body with 413). */
  checkRawBody?: (raw: string) => void;
  /** Writes a returned value as JSON text (default: `JSON.stringify` with bigints as decimal strings). */
  serialize?: (value: unknown) => string;
  /**
   * The handler: returns a value, sent as JSON with the route's first documented 2xx status (and, under
   * Vitest, checked against that response's schema), or a `Response` of its own (other statuses, files).
   */
  handler(input: RouteInput<Out<P>, Out<Q>, Out<B>>): unknown;
};

/**
 * Declares a route once for both validation and documentation: the `params`, `query` and JSON `body`
 * schemas are checked before the handler runs (400 with the issues and a hint otherwise), operator routes
 * get `requireOperator`, and the same schemas feed `GET /openapi.json`.
 *
 * @example
 * router.add(defineRoute({
 *   method: "get", path: "/v1/datanets/:id", summary: "One datanet", tags: ["datanets"],
 *   params: DatanetIdParams, responses: { 200: { description: "The datanet", schema: DatanetDetail } },
 *   handler: ({ params }) => getDatanet(BigInt(params.id)),
 * }));
 */
export function defineRoute<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(definition: RouteDefinition<P, Q, B>): RouteDefinition<P, Q, B> {
  return definition;
}

const docsByApp = new WeakMap<Hono, RouteDoc[]>();

/**
 * Adds a route's documentation to a Hono (sub-)app, for routes written without {@link defineRoute} (the
 * gateway, the epochs routes): `createApp` puts it in `/openapi.json` when the app is mounted.
 *
 * @example
 * registerOpenApi(app, { method: "post", path: "/v1/epochs/close", summary: "Close an epoch", tags: ["epochs"],
 *   operator: true, responses: { 201: { description: "The epoch", schema: EpochView } } });
 */
export function registerOpenApi(app: Hono, doc: RouteDoc): void {
  const docs = docsByApp.get(app) ?? [];
  docs.push(doc);
  docsByApp.set(app, docs);
}

/**
 * The route documentation registered on an app (by {@link createRouter} or {@link registerOpenApi}).
 *
 * @example
 * const docs = routeDocsOf(createDatanetRoutes(ctx));
 */
export function routeDocsOf(app: Hono): readonly RouteDoc[] {
  return docsByApp.get(app) ?? [];
}

/** A Hono sub-app that routes are added to with {@link Router.add}. */
export type Router = {
  app: Hono;
  /** Mounts routes (validated, documented, operator-guarded as declared). */
  add(...routes: RouteDefinition[]): Router;
};

/** Options of {@link createRouter}. */
export type CreateRouterOptions = {
  /**
   * Check every value a handler returns against its documented response schema, answering 500
   * `RESPONSE_SCHEMA_MISMATCH` on a difference (default: on under Vitest, so the tests keep the documentation honest; off otherwise).
   */
  validateResponses?: boolean;
};

/**
 * A sub-app for {@link defineRoute} routes, with operator routes guarded by the context's operator token.
 *
 * @example
 * const router = createRouter(ctx);
 * router.add(listDatanets, createDatanet);
 * return router.app;
 */
export function createRouter(
  ctx: Pick<NodeContext, "operatorToken"> = {},
  options: CreateRouterOptions = {},
): Router {
  const app = new HonoApp();
  const validateResponses = options.validateResponses ?? process.env.VITEST !== undefined;
  const operator = requireOperator(ctx);
  const router: Router = {
    app,
    add(...routes) {
      for (const route of routes) mount(app, route, operator, validateResponses);
      return router;
    },
  };
  return router;
}

function docOf(route: RouteDefinition): RouteDoc {
  const {
    handler: _handler,
    hints: _hints,
    invalidCode: _invalidCode,
    checkRawBody: _check,
    serialize: _serialize,
    params,
    query,
    body,
    ...rest
  } = route;
  return {
    ...rest,
    ...(params ? { params } : {}),
    ...(query ? { query } : {}),
    ...(body ? { body } : {}),
  };
}

function isJson(contentType: string | undefined): boolean {
  return contentType === undefined || contentType.startsWith("application/json");
}

function mount(app: Hono, route: RouteDefinition, operator: MiddlewareHandler, validateResponses: boolean) {
  registerOpenApi(app, docOf(route));
  const where = `${route.method.toUpperCase()} ${route.path}`;
  const hint = (part: "params" | "query" | "body") =>
    route.hints?.[part] ??
    `Check the request ${part} against ${where} in the node's API reference (GET /docs).`;
  const code = route.invalidCode ?? "INVALID_REQUEST";
  const successStatus = Number(
    Object.keys(route.responses).find((s) => s.startsWith("2")) ?? 200,
  ) as ContentfulStatusCode;
  const handle = async (c: Context) => {
    // Ill-formed Unicode is refused before any schema (400 INVALID_TEXT), whatever the route declares.
    const rawParams = c.req.param();
    const rawQuery = c.req.query();
    requireWellFormed(rawParams, "path");
    requireWellFormed(rawQuery, "query");
    const params = route.params ? parse(route.params, rawParams, hint("params"), code) : undefined;
    const query = route.query ? parse(route.query, rawQuery, hint("query"), code) : undefined;
    let body: unknown;
    if (route.body && isJson(route.bodyContentType)) {
      const raw = await c.req.text();
      route.checkRawBody?.(raw);
      const value = parseJsonText(raw, { hint: hint("body"), code });
      requireWellFormed(value, "body", raw);
      body = parse(route.body, value, hint("body"), code);
    }
    const out = await route.handler({ c, params, query, body });
    if (out instanceof Response) return out;
    const text = (route.serialize ?? toJsonText)(out);
    if (validateResponses) checkResponse(route.responses[successStatus]?.schema, where, text);
    return c.newResponse(text, successStatus, { "content-type": "application/json; charset=utf-8" });
  };
  const method = route.method.toUpperCase();
  if (route.operator) app.on(method, route.path, operator, handle);
  else app.on(method, route.path, handle);
}

function checkResponse(schema: z.ZodType | undefined, where: string, text: string): void {
  if (!schema) return;
  const result = schema.safeParse(JSON.parse(text));
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`).join("; ");
    throw new ApiError(
      500,
      "RESPONSE_SCHEMA_MISMATCH",
      `${where} answered a body that does not match its documented schema: ${issues}`,
      "Fix the handler or the response schema in packages/sdk/src/node/schemas.",
    );
  }
}
