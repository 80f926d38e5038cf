import type { NodeContext } from "../../context/NodeContext.ts";
import { gatewayDeps } from "../gatewayDeps.ts";
import { createModelCatalog } from "../models/createModelCatalog.ts";
import { registerLlamaModel } from "../models/registerLlamaModel.ts";
import type { GatewayModel, RegisterLlamaModelParameters } from "../models/types.ts";

/**
 * Registers a local llama model on the node of `ctx`, for callers outside the gateway (the training job, when an
 * adapter is trained): the files are hashed and loaded now (errors name the file and llama.cpp's reason), the
 * model is registered in ModelRegistry unless `modelId` names one already registered (then it must be this
 * node's and list the same trained-on versions), and the gateway serves it at once (`/v1/models`, completions,
 * receipts with span-v1 attribution over `trainedOn`).
 *
 * @example
 * const model = await registerLlamaModelOnNode(ctx, {
 *   name: "whale-lora", baseFile: "/data/models/tiny.gguf", adapterFile: "/data/jobs/7/adapter.gguf",
 *   trainedOn: [{ datanetId: 1n, version: 2 }], pricing, split, modelId: 4n,
 * });
 */
export function registerLlamaModelOnNode(
  ctx: NodeContext,
  params: RegisterLlamaModelParameters,
): Promise<GatewayModel> {
  const deps = gatewayDeps(ctx);
  return registerLlamaModel(deps, createModelCatalog(deps), params);
}
