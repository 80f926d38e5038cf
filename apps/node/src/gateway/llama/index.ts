export {
  type ContextPool,
  type ContextPoolOptions,
  createContextPool,
  type Lease,
} from "./createContextPool.ts";
export { createLlamaRuntime, DEFAULT_LLAMA_CONTEXT_SIZE, resolveLlamaConfig } from "./createLlamaRuntime.ts";
export { llamaRuntimeOf } from "./llamaRuntimeOf.ts";
export { registerLlamaModelOnNode } from "./registerLlamaModelOnNode.ts";
export type {
  LlamaConfig,
  LlamaFiles,
  LlamaGenerateParameters,
  LlamaGeneration,
  LlamaInspection,
  LlamaRuntime,
  LlamaRuntimeStats,
} from "./types.ts";
