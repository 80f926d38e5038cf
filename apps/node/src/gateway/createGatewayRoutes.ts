import { Hono } from "hono";
import { requireOperator } from "../api/requireOperator.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import { outboundLimits } from "../net/outboundConfig.ts";
import {
  createGatewayService,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  type GatewayService,
} from "./createGatewayService.ts";
import { createRateLimiter } from "./createRateLimiter.ts";
import { addCompletionRoutes } from "./routes/completionRoutes.ts";
import { gatewayErrorHandler } from "./routes/errors.ts";
import { addKeyRoutes } from "./routes/keyRoutes.ts";
import { addModelRoutes } from "./routes/modelRoutes.ts";
import type { GatewayTiming } from "./routes/routeDeps.ts";

export { renderChatPrompt } from "./inference/renderChatPrompt.ts";
export type { OpenAiErrorBody } from "./routes/errors.ts";
export type { GatewayTiming } from "./routes/routeDeps.ts";

/** Options of {@link createGatewayRoutes}. */
export type CreateGatewayRoutesOptions = {
  /** Service to use (one is created from `ctx` when absent). */
  service?: GatewayService;
  /** Pause between streamed tokens, in ms (0 by default; tests use it to disconnect mid-stream). */
  streamDelayMs?: number;
  /** Called after each non-streaming completion with its timings. */
  onTiming?: (timing: GatewayTiming) => void;
};

/**
 * The OpenAI-compatible, payable gateway: `GET /v1/models`, `POST /v1/chat/completions`, `POST /v1/completions`
 * (with `stream`), and the operator routes `POST /v1/models` (∞-gram or external model), `POST|GET /v1/keys`,
 * `DELETE /v1/keys/:id`. Every served response carries its signed receipt (`tributary` field; headers
 * `X-Tributary-Receipt: <id>` and, when not streaming, `X-Tributary-Receipt-Hash`), durable in the database
 * before the response (or the stream's final event) is sent; a stream the client drops is charged for what was
 * already sent. Requests are rate limited per API key (token bucket) and may name an agent
 * (`X-Tributary-Agent` or body `tributary.agentId`), whose fee is added on top of the price. The route groups
 * live in `routes/` (keys, models, completions; one streaming-billing function for every stream).
 *
 * @example
 * createNode({ ..., routes: [(ctx) => createGatewayRoutes(ctx)] });
 */
export function createGatewayRoutes(ctx: NodeContext, options: CreateGatewayRoutesOptions = {}): Hono {
  const deps = {
    ctx,
    service: options.service ?? createGatewayService(ctx),
    limiter: createRateLimiter(),
    defaultLimit: ctx.gateway?.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE,
    operator: requireOperator(ctx),
    streamDelayMs: options.streamDelayMs ?? 0,
    upstreamLimits: outboundLimits(ctx.outbound, "upstream"),
    ...(options.onTiming ? { onTiming: options.onTiming } : {}),
  };
  const app = new Hono();
  app.onError(gatewayErrorHandler(ctx));
  addKeyRoutes(app, deps);
  addModelRoutes(app, deps);
  addCompletionRoutes(app, deps);
  return app;
}
