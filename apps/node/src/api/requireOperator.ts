import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { NodeContext } from "../context/NodeContext.ts";
import { ApiError } from "./ApiError.ts";

const digest = (s: string): Buffer => createHash("sha256").update(s, "utf8").digest();

/** `Bearer <token>`: the scheme is case-insensitive (RFC 9110), the token one run of non-space characters. */
const BEARER = /^Bearer +([^\s]+) *$/i;

const HINT =
  "Send `Authorization: Bearer <operator token>` (printed by `tributary up`, kept in <dataDir>/node/operator-token); no other header or scheme is accepted.";

/**
 * Guards an operator route (one that spends the node's key or changes what it serves: create a datanet,
 * review, publish, close an epoch, manage API keys, register a model). When the node has an
 * `operatorToken`, the request must carry exactly `Authorization: Bearer <token>`; any other form (a bare
 * token, another scheme, another header) is refused with 401 `OPERATOR_TOKEN_REQUIRED` and a hint. The token
 * is compared in constant time (SHA-256 of both, `timingSafeEqual`), so neither its length nor a prefix leaks.
 * A node without a token (tests, a node bound to loopback on purpose) lets every request through.
 *
 * @example
 * app.post("/v1/epochs/close", requireOperator(ctx), async (c) => ...);
 */
export function requireOperator(ctx: Pick<NodeContext, "operatorToken">): MiddlewareHandler {
  return async (c, next) => {
    const token = ctx.operatorToken;
    if (token) {
      const header = c.req.header("authorization");
      const given = header === undefined ? undefined : BEARER.exec(header)?.[1];
      const refuse = (why: string) =>
        new ApiError(
          401,
          "OPERATOR_TOKEN_REQUIRED",
          `${c.req.method} ${c.req.path} is an operator route and ${why}`,
          HINT,
        );
      if (given === undefined) {
        throw refuse(
          header === undefined
            ? "the request has no Authorization header"
            : "its Authorization header is not `Bearer <token>`",
        );
      }
      if (!timingSafeEqual(digest(given), digest(token))) throw refuse("the operator token is wrong");
    }
    await next();
  };
}
