import { getModel, getModelVersion } from "@tributary/sdk";
import type { Hex } from "viem";
import { ApiError } from "../../api/ApiError.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import { llamaRuntimeOf } from "../llama/llamaRuntimeOf.ts";
import type { LlamaFiles } from "../llama/types.ts";
import { requireChain } from "../requireChain.ts";
import type { ModelCatalog } from "./createModelCatalog.ts";
import { checkName, checkTrainedOn, registerOnChain } from "./registration.ts";
import { storedLimits } from "./toModel.ts";
import type { GatewayModel, RegisterLlamaModelParameters, TrainedOnVersion } from "./types.ts";

/** A model the training job registered already: it must be this node's and list the same versions. */
async function checkRegistered(
  deps: GatewayDeps,
  modelId: bigint,
  trainedOn: readonly TrainedOnVersion[],
): Promise<{
  pricing: RegisterLlamaModelParameters["pricing"];
  split: RegisterLlamaModelParameters["split"];
}> {
  const chain = requireChain(deps.ctx);
  const taken = await deps.db
    .selectFrom("models")
    .select("name")
    .where("model_id", "=", Number(modelId))
    .executeTakeFirst();
  if (taken) {
    throw new ApiError(
      409,
      "MODEL_ALREADY_SERVED",
      `model ${modelId} is already served by this node as ${taken.name}`,
      "Register each on-chain model once; call it by its name.",
    );
  }
  const model = await getModel(chain.sdk, { modelId }).catch((error: unknown) => {
    throw new ApiError(
      404,
      "MODEL_NOT_ON_CHAIN",
      `ModelRegistry has no model ${modelId}`,
      "Pass the id the registration returned, or leave modelId out to register the model here.",
      { cause: error },
    );
  });
  const me = chain.walletClient.account.address.toLowerCase();
  if (model.owner.toLowerCase() !== me) {
    throw new ApiError(
      403,
      "MODEL_NOT_OWNED",
      `model ${modelId} is owned by ${model.owner}, not by this node (${me})`,
      "Serve only models this node's key owns (the training job registers with the node's key).",
    );
  }
  const version = await getModelVersion(chain.sdk, { modelId, version: model.versionCount });
  const onChain = new Set(version.trainedOn.map((t) => `${t.datanetId}/${t.version}`));
  const given = new Set(trainedOn.map((t) => `${t.datanetId}/${t.version}`));
  if (onChain.size !== given.size || [...given].some((k) => !onChain.has(k))) {
    throw new ApiError(
      409,
      "TRAINED_ON_MISMATCH",
      `model ${modelId} lists trained-on versions ${[...onChain].join(", ")} on chain, not ${[...given].join(", ")}`,
      "Pass the versions the model was registered with: receipts attribute over exactly those.",
    );
  }
  return {
    pricing: {
      perCall: model.pricing.perCall,
      per1kOutputTokens: model.pricing.per1kOutputTokens,
      per1kInputTokens: model.pricing.per1kInputTokens,
    },
    split: { ownerBps: model.split.ownerBps, dataBps: model.split.dataBps },
  };
}

/**
 * Registers a local llama model (a base GGUF and an optional LoRA adapter GGUF on this node's disk) and serves it
 * like every model: listed in `/v1/models`, metered, its output attributed with span-v1 over its trained-on
 * versions' index. The files are hashed and loaded now (a missing or corrupt base or adapter fails here with
 * 404 `LLAMA_FILE_NOT_FOUND` / 422 `LLAMA_BASE_INVALID` / `LLAMA_ADAPTER_INVALID`), and the model is registered
 * in ModelRegistry (artifact = the adapter's sha-256, else the base's; base model `gguf:sha256:<base>`) unless
 * `modelId` names one registered already (by the training job, with its lineage).
 *
 * @example
 * await registerLlamaModel(deps, models, { name: "whale-lora", baseFile, adapterFile, trainedOn, pricing, split });
 */
export async function registerLlamaModel(
  deps: GatewayDeps,
  models: ModelCatalog,
  params: RegisterLlamaModelParameters,
): Promise<GatewayModel> {
  const chain = requireChain(deps.ctx);
  await checkTrainedOn(deps, params.trainedOn, "a llama model");
  await checkName(deps, params.name);
  const runtime = llamaRuntimeOf(deps.ctx);
  const info = await runtime.inspect({
    baseFile: params.baseFile,
    ...(params.adapterFile ? { adapterFile: params.adapterFile } : {}),
    scale: params.scale ?? 1,
  });
  const files: LlamaFiles & { contextSize: number } = {
    baseFile: params.baseFile,
    baseSha256: info.baseSha256,
    ...(params.adapterFile && info.adapterSha256
      ? { adapterFile: params.adapterFile, adapterSha256: info.adapterSha256 }
      : {}),
    scale: params.scale ?? 1,
    contextSize: info.contextSize,
  };
  let terms = { pricing: params.pricing, split: params.split };
  let modelId: bigint;
  if (params.modelId !== undefined) {
    terms = await checkRegistered(deps, params.modelId, params.trainedOn);
    modelId = params.modelId;
  } else {
    modelId = await registerOnChain(deps, {
      metadataURI:
        params.metadataURI ??
        `tributary://llama/${info.baseSha256}${info.adapterSha256 ? `/${info.adapterSha256}` : ""}`,
      artifactHash: `0x${info.adapterSha256 ?? info.baseSha256}` as Hex,
      baseModel: `gguf:sha256:${info.baseSha256}`,
      trainedOn: params.trainedOn.map((t) => ({ datanetId: t.datanetId, version: BigInt(t.version) })),
      pricing: params.pricing,
      split: params.split,
    });
  }
  const first = params.trainedOn[0] as TrainedOnVersion;
  return models.insertModel({
    model_id: Number(modelId),
    name: params.name,
    kind: "llama",
    datanet_id: Number(first.datanetId),
    version: first.version,
    index_id: "",
    per_call: terms.pricing.perCall.toString(),
    per_1k_output_tokens: terms.pricing.per1kOutputTokens.toString(),
    per_1k_input_tokens: terms.pricing.per1kInputTokens.toString(),
    owner_bps: terms.split.ownerBps,
    data_bps: terms.split.dataBps,
    owner: chain.walletClient.account.address.toLowerCase(),
    created_at: new Date().toISOString(),
    upstream: null,
    trained_on: JSON.stringify(
      params.trainedOn.map((t) => ({ datanetId: t.datanetId.toString(), version: t.version })),
    ),
    ...storedLimits(params.limits),
    llama: JSON.stringify(files),
  });
}
