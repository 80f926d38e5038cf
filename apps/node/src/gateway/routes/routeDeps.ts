import type { MiddlewareHandler } from "hono";
import type { NodeContext } from "../../context/NodeContext.ts";
import type { outboundLimits } from "../../net/outboundConfig.ts";
import type { GatewayService } from "../createGatewayService.ts";
import type { RateLimiter } from "../createRateLimiter.ts";

/** Time spent in one served request, measured inside the handler (for the benchmark). */
export type GatewayTiming = {
  /** Handler entry until the response object is built (receipt durable, body serialized). */
  totalMs: number;
  /** Model generation (∞-gram) or the upstream call, within `totalMs`. */
  generateMs: number;
  /** Waiting for the receipt's durable commit (writer thread: signature, insert, fsync), within `totalMs`. */
  writeMs: number;
};

/** What the gateway's route groups share. */
export type GatewayRouteDeps = {
  ctx: NodeContext;
  service: GatewayService;
  /** Requests per minute per API key (token bucket), and the node's default limit. */
  limiter: RateLimiter;
  defaultLimit: number;
  /** The operator token check of the operator routes. */
  operator: MiddlewareHandler;
  /** Pause between streamed ∞-gram tokens, in ms. */
  streamDelayMs: number;
  upstreamLimits: ReturnType<typeof outboundLimits<"upstream">>;
  onTiming?: (timing: GatewayTiming) => void;
};
