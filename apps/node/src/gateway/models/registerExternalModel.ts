import { canonicalJson } from "@tributary/core";
import { keccak256, toHex } from "viem";
import { UPSTREAM_PURPOSE } from "../../db/migrations/014_sealed_secrets.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import { requireChain } from "../requireChain.ts";
import type { ModelCatalog } from "./createModelCatalog.ts";
import { checkName, checkTrainedOn, registerOnChain } from "./registration.ts";
import { storedLimits } from "./toModel.ts";
import type { GatewayModel, RegisterExternalModelParameters, TrainedOnVersion } from "./types.ts";

/**
 * Registers an external (OpenAI-compatible upstream) model on chain with its trained-on versions. The upstream
 * (whose URL may carry credentials, and whose API key is one) is stored sealed.
 *
 * @example
 * await registerExternalModel(deps, models, { name: "gpt-x", upstream, trainedOn, pricing, split });
 */
export async function registerExternalModel(
  deps: GatewayDeps,
  models: ModelCatalog,
  params: RegisterExternalModelParameters,
): Promise<GatewayModel> {
  const chain = requireChain(deps.ctx);
  await checkTrainedOn(deps, params.trainedOn, "an external model");
  await checkName(deps, params.name);
  const description = { baseURL: params.upstream.baseURL, model: params.upstream.model };
  const modelId = await registerOnChain(deps, {
    metadataURI: params.metadataURI ?? `tributary://external/${encodeURIComponent(params.name)}`,
    artifactHash: keccak256(toHex(canonicalJson(description))),
    baseModel: params.upstream.model,
    trainedOn: params.trainedOn.map((t) => ({ datanetId: t.datanetId, version: BigInt(t.version) })),
    pricing: params.pricing,
    split: params.split,
  });
  const first = params.trainedOn[0] as TrainedOnVersion;
  return models.insertModel({
    model_id: Number(modelId),
    name: params.name,
    kind: "external",
    datanet_id: Number(first.datanetId),
    version: first.version,
    index_id: "",
    per_call: params.pricing.perCall.toString(),
    per_1k_output_tokens: params.pricing.per1kOutputTokens.toString(),
    per_1k_input_tokens: params.pricing.per1kInputTokens.toString(),
    owner_bps: params.split.ownerBps,
    data_bps: params.split.dataBps,
    owner: chain.walletClient.account.address.toLowerCase(),
    created_at: new Date().toISOString(),
    // Sealed: the base URL may carry credentials and the API key is one; neither is stored in plaintext.
    upstream: deps.secrets.seal(JSON.stringify(params.upstream), UPSTREAM_PURPOSE),
    trained_on: JSON.stringify(
      params.trainedOn.map((t) => ({ datanetId: t.datanetId.toString(), version: t.version })),
    ),
    ...storedLimits(params.limits),
  });
}
