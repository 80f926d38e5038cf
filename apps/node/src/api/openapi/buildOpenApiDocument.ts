import { nodeSchemas } from "@tributary/sdk";
import { z } from "zod";
import type { RouteDoc } from "../defineRoute.ts";

/** Title, version and description of the document. */
export type OpenApiInfo = { title?: string; version: string; description?: string };

/** An OpenAPI 3.1 document (the parts this node writes). */
export type OpenApiDocument = {
  openapi: "3.1.0";
  info: { title: string; version: string; description?: string };
  jsonSchemaDialect: string;
  tags: { name: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

type Io = "input" | "output";
type JsonObject = Record<string, unknown>;

const tagDescriptions: Record<string, string> = {
  datanets: "Datanets: create, read, settings.",
  contributions: "Contributions registered in datanets.",
  uploads: "Stage files, sign, submit: the node relays the registration.",
  curation: "Pending contributions and curator verdicts.",
  versions: "Published versions of a datanet and their exports.",
  attribution: "Proof of attribution: which contributions a text draws on.",
  gateway: "OpenAI-compatible, payable inference.",
  epochs: "Epochs, earnings, proofs and claims.",
  node: "Health, readiness, metrics and this reference.",
};

/** `/v1/datanets/:id` → `/v1/datanets/{id}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}");
}

function operationId(doc: RouteDoc): string {
  const words = doc.path
    .split(/[/{}:._-]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1));
  return `${doc.method}${words.join("")}`;
}

/**
 * Builds the OpenAPI 3.1 document of a set of routes from their Zod schemas (`z.toJSONSchema`, JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). Schemas with an `id` in their metadata become shared components
 * (`#/components/schemas/<id>`); when the input and output forms of one differ (defaults, coercions), the
 * input form is named `<id>Input`. Routes with params, query or body document a 400, operator routes a 401
 * and the bearer security scheme.
 *
 * @example
 * const doc = buildOpenApiDocument(routeDocsOf(app), { version: "0.1.0" });
 */
export function buildOpenApiDocument(docs: readonly RouteDoc[], info: OpenApiInfo): OpenApiDocument {
  const defs: Record<Io, Map<string, unknown>> = { input: new Map(), output: new Map() };
  const pending: { value: JsonObject; io: Io }[] = [];

  const convert = (schema: z.ZodType, io: Io): JsonObject => {
    const js = z.toJSONSchema(schema, { target: "draft-2020-12", io, unrepresentable: "any" }) as JsonObject;
    const { $schema: _dialect, $defs, ...rest } = js;
    for (const [id, def] of Object.entries(($defs ?? {}) as JsonObject)) {
      if (!defs[io].has(id)) {
        defs[io].set(id, def);
        pending.push({ value: def as JsonObject, io });
      }
    }
    pending.push({ value: rest, io });
    return rest;
  };

  const errorSchema = convert(nodeSchemas.ErrorBody, "output");
  const errorResponse = (codes: string[], schema: JsonObject = errorSchema) => ({
    description: `Error: ${codes.join(", ")}`,
    content: { "application/json": { schema } },
  });

  const paths: OpenApiDocument["paths"] = {};
  const tags = new Set<string>();
  for (const doc of [...docs].sort((a, b) => a.path.localeCompare(b.path))) {
    for (const t of doc.tags) tags.add(t);
    const parameters: JsonObject[] = [];
    for (const [where, schema] of [
      ["path", doc.params],
      ["query", doc.query],
    ] as const) {
      if (!schema) continue;
      const js = convert(schema, "input");
      const required = new Set((js.required as string[] | undefined) ?? []);
      for (const [name, prop] of Object.entries((js.properties ?? {}) as Record<string, JsonObject>)) {
        const { description, ...propSchema } = prop;
        pending.push({ value: propSchema, io: "input" }); // a copy: its refs need rewriting too
        parameters.push({
          name,
          in: where,
          required: where === "path" || required.has(name),
          ...(description ? { description } : {}),
          schema: propSchema,
        });
      }
    }
    for (const name of doc.path.match(/:([A-Za-z_][A-Za-z0-9_]*)/g) ?? []) {
      const n = name.slice(1);
      if (!parameters.some((p) => p.in === "path" && p.name === n))
        parameters.push({ name: n, in: "path", required: true, schema: { type: "string" } });
    }
    const responses: JsonObject = {};
    for (const [status, r] of Object.entries(doc.responses)) {
      const content: JsonObject = {};
      if (r.schema) {
        content[r.contentType ?? "application/json"] = {
          schema: convert(r.schema, "output"),
          ...(r.example === undefined ? {} : { example: r.example }),
        };
      }
      for (const alt of r.alternatives ?? []) content[alt] = {};
      responses[status] = { description: r.description, ...(Object.keys(content).length ? { content } : {}) };
    }
    const errors: Record<number, string[]> = {};
    const addError = (status: number, code: string) => {
      errors[status] = [...new Set([...(errors[status] ?? []), code])];
    };
    if (doc.params || doc.query || doc.body) addError(400, "INVALID_REQUEST");
    if (doc.operator) addError(401, "OPERATOR_TOKEN_REQUIRED");
    if (doc.body) {
      addError(413, "BODY_TOO_LARGE");
      if ((doc.bodyContentType ?? "application/json").startsWith("application/json"))
        addError(400, "JSON_TOO_COMPLEX");
    }
    for (const [status, codes] of Object.entries(doc.errors ?? {}))
      for (const code of codes) addError(Number(status), code);
    const ownErrorSchema = doc.errorSchema ? convert(doc.errorSchema, "output") : undefined;
    for (const [status, codes] of Object.entries(errors))
      responses[status] = errorResponse(codes, ownErrorSchema);

    const operation: JsonObject = {
      operationId: operationId(doc),
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      tags: doc.tags,
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body
        ? {
            requestBody: {
              required: !doc.body.safeParse(undefined).success,
              ...(doc.maxBodyBytes === undefined ? {} : { "x-max-body-bytes": doc.maxBodyBytes }),
              content: {
                [doc.bodyContentType ?? "application/json"]: { schema: convert(doc.body, "input") },
              },
            },
          }
        : {}),
      responses,
      ...(doc.operator ? { security: [{ operatorToken: [] }], "x-operator": true } : {}),
    };
    const path = openApiPath(doc.path);
    paths[path] ??= {};
    paths[path][doc.method] = operation;
  }

  // Name the shared schemas: one name when input and output agree, `<id>Input` for a differing input form.
  const nameOf = (id: string, io: Io): string => {
    if (io === "output" || !defs.output.has(id)) return id;
    return JSON.stringify(defs.output.get(id)) === JSON.stringify(defs.input.get(id)) ? id : `${id}Input`;
  };
  const rewrite = (value: unknown, io: Io): void => {
    if (Array.isArray(value)) for (const v of value) rewrite(v, io);
    else if (value && typeof value === "object") {
      const o = value as JsonObject;
      if (typeof o.$ref === "string" && o.$ref.startsWith("#/$defs/"))
        o.$ref = `#/components/schemas/${nameOf(o.$ref.slice("#/$defs/".length), io)}`;
      for (const v of Object.values(o)) rewrite(v, io);
    }
  };
  for (const { value, io } of pending) rewrite(value, io);
  const schemas: JsonObject = {};
  for (const io of ["output", "input"] as const)
    for (const [id, def] of defs[io]) schemas[nameOf(id, io)] ??= def;

  return {
    openapi: "3.1.0",
    info: {
      title: info.title ?? "Tributary node API",
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    tags: [...tags].sort().map((name) => ({
      name,
      ...(tagDescriptions[name] ? { description: tagDescriptions[name] } : {}),
    })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        operatorToken: {
          type: "http",
          scheme: "bearer",
          description:
            "The node's operator token (printed by `tributary up`, kept in <dataDir>/node/operator-token), as `Authorization: Bearer <token>` only.",
        },
      },
    },
  };
}
