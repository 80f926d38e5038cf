import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createApp } from "./createApp.ts";
import { requireOperator } from "./requireOperator.ts";

const appWith = (operatorToken?: string) =>
  createApp({
    routes: [
      new Hono().post("/v1/op", requireOperator(operatorToken ? { operatorToken } : {}), (c) =>
        c.json({ ok: true }),
      ),
    ],
  });

describe("requireOperator", () => {
  it("answers 401 OPERATOR_TOKEN_REQUIRED without a token or with a wrong one", async () => {
    const app = appWith("s3cret-token");
    for (const headers of [
      {},
      { authorization: "Bearer nope" },
      { authorization: "Bearer s3cret-token-and-more" },
      { authorization: "Bearer " },
      { "x-tributary-operator": "s3cret" },
      { authorization: "Basic s3cret-token" },
      // Only `Bearer <token>`: the token bare, in another header or scheme, or with trailing junk is refused.
      { authorization: "s3cret-token" },
      { "x-tributary-operator": "s3cret-token" },
      { authorization: "Token s3cret-token" },
      { authorization: "Bearer s3cret-token extra" },
      { authorization: "Bearers3cret-token" },
    ]) {
      const res = await app.request("/v1/op", { method: "POST", headers });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      const body = await res.json();
      expect(body.error.code).toBe("OPERATOR_TOKEN_REQUIRED");
      expect(body.error.hint).toContain("Authorization: Bearer");
      expect(body.error.message).toContain("POST /v1/op");
    }
  });

  it("lets the request through with `Authorization: Bearer <token>` (scheme case-insensitive)", async () => {
    const app = appWith("s3cret-token");
    for (const headers of [
      { authorization: "Bearer s3cret-token" },
      { authorization: "bearer s3cret-token" },
    ]) {
      const res = await app.request("/v1/op", { method: "POST", headers });
      expect(res.status, JSON.stringify(headers)).toBe(200);
    }
  });

  it("lets every request through when the node has no operator token", async () => {
    expect((await appWith().request("/v1/op", { method: "POST" })).status).toBe(200);
  });
});
