import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "./createApp.ts";
import { createRouter, defineRoute, routeDocsOf } from "./defineRoute.ts";

const Item = z.object({ id: z.string(), amount: z.string() });

function makeApp(validateResponses = true, operatorToken?: string) {
  const router = createRouter(operatorToken ? { operatorToken } : {}, { validateResponses });
  router.add(
    defineRoute({
      method: "post",
      path: "/v1/things/:id",
      summary: "Make a thing",
      tags: ["things"],
      operator: true,
      params: z.object({ id: z.string().regex(/^\d+$/) }),
      query: z.object({ dry: z.enum(["0", "1"]).optional() }),
      body: z.strictObject({ amount: z.union([z.number(), z.string()]) }),
      hints: { body: 'Send {"amount":"1"}.' },
      responses: { 201: { description: "Made.", schema: Item } },
      handler: ({ params, query, body }) => ({
        id: params.id,
        amount: BigInt(body.amount) * (query.dry === "1" ? 0n : 1n),
      }),
    }),
    defineRoute({
      method: "get",
      path: "/v1/broken",
      summary: "Answers what its schema does not allow",
      tags: ["things"],
      responses: { 200: { description: "Never.", schema: Item } },
      handler: () => ({ id: 1 }),
    }),
  );
  return { router, app: createApp({ routes: [router.app] }) };
}

const post = (
  app: ReturnType<typeof createApp>,
  path: string,
  body: string,
  headers: Record<string, string> = {},
) => app.request(path, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

describe("defineRoute", () => {
  it("validates params, query and body, then answers the handler's value as JSON with the documented status", async () => {
    const { app } = makeApp();
    const ok = await post(app, "/v1/things/7", '{"amount":"100000000000000000000"}');
    expect(ok.status).toBe(201);
    expect(await ok.json()).toEqual({ id: "7", amount: "100000000000000000000" });
    const cases: [string, string, string][] = [
      ["/v1/things/x", '{"amount":1}', "id"],
      ["/v1/things/7?dry=2", '{"amount":1}', "dry"],
      ["/v1/things/7", '{"amount":1,"extra":true}', "extra"],
      ["/v1/things/7", "", "(value)"],
      ["/v1/things/7", "{nope", "not JSON"],
    ];
    for (const [path, body, mention] of cases) {
      const res = await post(app, path, body);
      expect(res.status, path + body).toBe(400);
      const { error } = await res.json();
      expect(error.code).toBe("INVALID_REQUEST");
      expect(error.message).toContain(mention);
      expect(error.hint.length).toBeGreaterThan(0);
    }
    const badBody = await (await post(app, "/v1/things/7", "{}")).json();
    expect(badBody.error.hint).toBe('Send {"amount":"1"}.');
    const badParams = await (await post(app, "/v1/things/x", "{}")).json();
    expect(badParams.error.hint).toContain("POST /v1/things/:id");
  });

  it("guards operator routes with the context's operator token", async () => {
    const { app } = makeApp(true, "tok");
    expect((await post(app, "/v1/things/7", '{"amount":1}')).status).toBe(401);
    expect((await post(app, "/v1/things/7", '{"amount":1}', { authorization: "Bearer no" })).status).toBe(
      401,
    );
    expect((await post(app, "/v1/things/7", '{"amount":1}', { authorization: "Bearer tok" })).status).toBe(
      201,
    );
  });

  it("checks answers against the documented schema when asked (on under Vitest)", async () => {
    const res = await makeApp().app.request("/v1/broken");
    expect(res.status).toBe(500);
    expect((await res.json()).error.code).toBe("RESPONSE_SCHEMA_MISMATCH");
    expect((await makeApp(false).app.request("/v1/broken")).status).toBe(200);
    expect(createRouter().app).toBeDefined();
  });

  it("registers each route's documentation on its sub-app", () => {
    const { router } = makeApp();
    expect(routeDocsOf(router.app).map((d) => `${d.method} ${d.path}`)).toEqual([
      "post /v1/things/:id",
      "get /v1/broken",
    ]);
  });
});
