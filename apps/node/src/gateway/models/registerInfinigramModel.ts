import { infinigramArtifactHash } from "../../attribution/versionSetIndexes.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import { requireChain } from "../requireChain.ts";
import type { ModelCatalog } from "./createModelCatalog.ts";
import { checkName, checkTrainedOn, registerOnChain } from "./registration.ts";
import { storedLimits } from "./toModel.ts";
import type { GatewayModel, RegisterInfinigramModelParameters, TrainedOnVersion } from "./types.ts";

/**
 * Registers the built-in ∞-gram model over published versions on chain and records it.
 *
 * @example
 * await registerInfinigramModel(deps, models, { name: "whale-ig", datanetId: 1n, version: 1, pricing, split });
 */
export async function registerInfinigramModel(
  deps: GatewayDeps,
  models: ModelCatalog,
  params: RegisterInfinigramModelParameters,
): Promise<GatewayModel> {
  const chain = requireChain(deps.ctx);
  const trainedOn = params.trainedOn ?? [{ datanetId: params.datanetId, version: params.version }];
  const indexIds = await checkTrainedOn(deps, trainedOn, "an ∞-gram model");
  await checkName(deps, params.name);
  const modelId = await registerOnChain(deps, {
    metadataURI:
      params.metadataURI ??
      `tributary://infinigram/${trainedOn.map((t) => `${t.datanetId}/${t.version}`).join(",")}`,
    artifactHash: infinigramArtifactHash(indexIds),
    baseModel: "infinigram",
    trainedOn: trainedOn.map((t) => ({ datanetId: t.datanetId, version: BigInt(t.version) })),
    pricing: params.pricing,
    split: params.split,
  });
  const first = trainedOn[0] as TrainedOnVersion;
  return models.insertModel({
    model_id: Number(modelId),
    name: params.name,
    kind: "infinigram",
    datanet_id: Number(first.datanetId),
    version: first.version,
    index_id: indexIds.join(","),
    per_call: params.pricing.perCall.toString(),
    per_1k_output_tokens: params.pricing.per1kOutputTokens.toString(),
    per_1k_input_tokens: params.pricing.per1kInputTokens.toString(),
    owner_bps: params.split.ownerBps,
    data_bps: params.split.dataBps,
    owner: chain.walletClient.account.address.toLowerCase(),
    created_at: new Date().toISOString(),
    upstream: null,
    trained_on: JSON.stringify(
      trainedOn.map((t) => ({ datanetId: t.datanetId.toString(), version: t.version })),
    ),
    ...storedLimits(params.limits),
  });
}
