import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { NodeContext } from "../context/NodeContext.ts";
import { ApiError } from "./ApiError.ts";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/**
 * Guards an operator route (one that spends the node's key or changes what it serves: create a datanet,
 * review, publish, close an epoch, manage API keys, register a model). When the node has an
 * `operatorToken`, the request must carry `Authorization: Bearer <token>` (or `X-Tributary-Operator:
 * <token>`); a node without one (tests, a node bound to loopback on purpose) lets every request through.
 *
 * @example
 * app.post("/v1/epochs/close", requireOperator(ctx), async (c) => ...);
 */
export function requireOperator(ctx: Pick<NodeContext, "operatorToken">): MiddlewareHandler {
  return async (c, next) => {
    const token = ctx.operatorToken;
    if (token) {
      const header = c.req.header("x-tributary-operator") ?? c.req.header("authorization") ?? "";
      const given = header.replace(/^Bearer\s+/i, "").trim();
      if (!given || !timingSafeEqual(digest(given), digest(token))) {
        throw new ApiError(
          401,
          "OPERATOR_TOKEN_REQUIRED",
          `${c.req.method} ${c.req.path} is an operator route and the request has no valid operator token`,
          "Send `Authorization: Bearer <operator token>` (printed by `tributary up`, kept in <dataDir>/node/operator-token).",
        );
      }
    }
    await next();
  };
}
