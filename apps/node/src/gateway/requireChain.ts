import { ApiError } from "../api/ApiError.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";

/** The node's chain connection; 503 `NO_CHAIN` when the node runs without one. */
export function requireChain(ctx: NodeContext): ChainContext {
  if (!ctx.chain) {
    throw new ApiError(
      503,
      "NO_CHAIN",
      "the gateway needs a chain connection",
      "Start the node with a `chain` config (rpcUrl, deployment, account).",
    );
  }
  return ctx.chain;
}
