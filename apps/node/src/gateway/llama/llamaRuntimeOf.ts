import type { NodeContext } from "../../context/NodeContext.ts";
import { createLlamaRuntime } from "./createLlamaRuntime.ts";
import type { LlamaRuntime } from "./types.ts";

const fallback = new WeakMap<NodeContext, LlamaRuntime>();

/**
 * The node's llama runtime: `ctx.llama` (made by `createNode` from `NodeConfig.llama`), else one made with the
 * defaults for this context (a context built by hand, in tests). One per node, so that every gateway service and
 * the training job share its base models and contexts.
 *
 * @example
 * const llama = llamaRuntimeOf(ctx);
 */
export function llamaRuntimeOf(ctx: NodeContext): LlamaRuntime {
  if (ctx.llama) return ctx.llama;
  let runtime = fallback.get(ctx);
  if (!runtime) {
    runtime = createLlamaRuntime();
    fallback.set(ctx, runtime);
  }
  return runtime;
}
