import type { Hono } from "hono";
import { ApiError } from "../../api/ApiError.ts";
import { checkAddress, parseBody } from "./parseBody.ts";
import type { GatewayRouteDeps } from "./routeDeps.ts";
import { keyBody } from "./schemas.ts";

/**
 * The operator's API key routes: `POST /v1/keys` (the plaintext key is shown once), `GET /v1/keys` (paged, never
 * the key or its hash), `DELETE /v1/keys/:id` (revoke).
 *
 * @example
 * addKeyRoutes(app, deps);
 */
export function addKeyRoutes(app: Hono, { service, operator, limiter }: GatewayRouteDeps): void {
  app.post("/v1/keys", operator, async (c) => {
    const body = await parseBody(
      c,
      keyBody,
      "Send { payer: <address>, name?: string, rateLimitPerMinute?: 1..1000000 }.",
    );
    const payer = checkAddress(body.payer, "payer");
    const created = await service.createApiKey(payer, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: body.rateLimitPerMinute } : {}),
    });
    return c.json(
      {
        id: created.id,
        key: created.key,
        payer: created.payer,
        name: created.name,
        rateLimitPerMinute: created.rateLimitPerMinute,
        createdAt: created.createdAt,
      },
      201,
    );
  });

  app.get("/v1/keys", operator, async (c) => {
    const payerParam = c.req.query("payer");
    const payer = payerParam !== undefined ? checkAddress(payerParam, "payer") : undefined;
    const limitParam = c.req.query("limit") ?? "100";
    const limit = Number(limitParam);
    if (!/^[0-9]{1,3}$/.test(limitParam) || limit < 1 || limit > 500) {
      throw new ApiError(
        400,
        "INVALID_LIMIT",
        `limit '${limitParam}' is not in 1..500`,
        "Pass ?limit=1..500.",
      );
    }
    const cursor = c.req.query("cursor");
    if (cursor !== undefined && !/^[0-9]{1,15}$/.test(cursor)) {
      throw new ApiError(
        400,
        "INVALID_CURSOR",
        `cursor '${cursor}' is not one this node gave`,
        "Pass the nextCursor of the previous page, or no cursor for the first page.",
      );
    }
    const page = await service.listApiKeys({
      limit,
      ...(payer ? { payer } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    });
    return c.json(page);
  });

  app.delete("/v1/keys/:id", operator, async (c) => {
    const id = c.req.param("id");
    if (!(await service.revokeApiKey(id))) {
      throw new ApiError(404, "KEY_NOT_FOUND", `no API key has id ${id}`, "List keys with GET /v1/keys.");
    }
    limiter.reset(id);
    return c.json({ id, revoked: true });
  });
}
