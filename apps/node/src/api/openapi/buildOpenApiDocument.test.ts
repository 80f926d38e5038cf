import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../createApp.ts";
import { createRouter, defineRoute, registerOpenApi } from "../defineRoute.ts";
import { buildOpenApiDocument, openApiPath } from "./buildOpenApiDocument.ts";
import { epochsRouteDocs } from "./epochsRouteDocs.ts";
import { gatewayRouteDocs } from "./gatewayRouteDocs.ts";

// biome-ignore lint/suspicious/noExplicitAny: the document is walked generically
type Json = Record<string, any>;

function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) k === "$ref" ? out.push(v as string) : refsOf(v, out);
  return out;
}

function expectResolved(doc: Json) {
  for (const ref of refsOf(doc)) {
    expect(ref.startsWith("#/components/schemas/"), ref).toBe(true);
    expect(doc.components.schemas[ref.slice(21)], ref).toBeDefined();
  }
}

describe("buildOpenApiDocument", () => {
  it("shares named schemas as components and names a differing input form <id>Input", () => {
    const Thing = z.object({ n: z.number().default(1), tag: z.string() }).meta({ id: "Thing" });
    const doc = buildOpenApiDocument(
      [
        {
          method: "put",
          path: "/v1/things/:id",
          summary: "Replace a thing",
          tags: ["things"],
          params: z.object({ id: z.string().meta({ description: "The id." }) }),
          query: z.object({ dry: z.boolean().optional() }),
          body: Thing,
          responses: { 200: { description: "The thing.", schema: Thing } },
          errors: { 404: ["THING_NOT_FOUND"] },
        },
      ],
      { version: "1.2.3" },
    ) as Json;
    expectResolved(doc);
    const op = doc.paths["/v1/things/{id}"].put;
    expect(op.parameters).toEqual([
      { name: "id", in: "path", required: true, description: "The id.", schema: { type: "string" } },
      { name: "dry", in: "query", required: false, schema: { type: "boolean" } },
    ]);
    expect(op.requestBody).toMatchObject({ required: true });
    expect(op.requestBody.content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/ThingInput",
    });
    expect(op.responses["200"].content["application/json"].schema).toEqual({
      $ref: "#/components/schemas/Thing",
    });
    expect(doc.components.schemas.Thing.required).toEqual(["n", "tag"]);
    expect(doc.components.schemas.ThingInput.required).toEqual(["tag"]);
    expect(op.responses["400"].description).toContain("INVALID_REQUEST");
    expect(op.responses["404"].description).toContain("THING_NOT_FOUND");
    expect(doc.info.version).toBe("1.2.3");
    expect(openApiPath("/v1/datanets/:id/versions/:version")).toBe("/v1/datanets/{id}/versions/{version}");
  });

  it("documents the gateway and epochs routes when they are mounted, and only then", async () => {
    const stub = new Hono();
    for (const d of [...gatewayRouteDocs, ...epochsRouteDocs])
      stub.on(d.method.toUpperCase(), d.path, (c) => c.text(""));
    const mounted = (await (await createApp({ routes: [stub] }).request("/openapi.json")).json()) as Json;
    expectResolved(mounted);
    for (const d of [...gatewayRouteDocs, ...epochsRouteDocs])
      expect(mounted.paths[openApiPath(d.path)]?.[d.method], `${d.method} ${d.path}`).toBeDefined();
    expect(mounted.paths["/v1/epochs/close"].post["x-operator"]).toBe(true);
    // The gateway's errors are in OpenAI's shape; the other routes' in the API's.
    const errorRef = (path: string, method: string, status: string) =>
      JSON.stringify(mounted.paths[path][method].responses[status].content["application/json"].schema);
    expect(errorRef("/v1/models/{id}", "get", "404")).toContain("OpenAiError");
    expect(errorRef("/v1/chat/completions", "post", "413")).toContain("OpenAiError");
    expect(errorRef("/v1/agents/{id}", "get", "404")).not.toContain("OpenAiError");
    expect(mounted.paths["/v1/receipts"].get.parameters.map((p: Json) => p.name)).toEqual(
      expect.arrayContaining(["limit", "cursor", "payer"]),
    );

    const bare = (await (await createApp().request("/openapi.json")).json()) as Json;
    expect(Object.keys(bare.paths).sort()).toEqual([
      "/docs",
      "/health",
      "/health/ready",
      "/metrics",
      "/openapi.json",
    ]);
  });

  it("takes documentation registered with registerOpenApi on a plain Hono sub-app, and defineRoute routes", async () => {
    const plain = new Hono().post("/v1/plain", (c) => c.json({ ok: true }));
    registerOpenApi(plain, {
      method: "post",
      path: "/v1/plain",
      summary: "A plain route",
      tags: ["plain"],
      operator: true,
      responses: { 200: { description: "OK.", schema: z.object({ ok: z.boolean() }) } },
    });
    const router = createRouter().add(
      defineRoute({
        method: "get",
        path: "/v1/defined/:id",
        summary: "A defined route",
        tags: ["defined"],
        params: z.object({ id: z.string() }),
        responses: { 200: { description: "OK." } },
        handler: ({ params }) => ({ id: params.id }),
      }),
    );
    const doc = (await (
      await createApp({ routes: [plain, router.app] }).request("/openapi.json")
    ).json()) as Json;
    expect(doc.paths["/v1/plain"].post).toMatchObject({
      summary: "A plain route",
      security: [{ operatorToken: [] }],
    });
    expect(doc.paths["/v1/defined/{id}"].get.summary).toBe("A defined route");
    expect(doc.tags.map((t: Json) => t.name)).toEqual(["defined", "node", "plain"]);
  });
});
