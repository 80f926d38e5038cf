import { canonicalJson } from "@tributary/core";
import {
  ContractRevertError,
  getLineage,
  getModel,
  getModelCount,
  recordLineage,
  registerModel,
} from "@tributary/sdk";
import type { Hex } from "viem";
import type { TrainingJobRow } from "../db/schema.ts";
import type { TrainingJobRequest } from "./schemas.ts";
import type { ExportedVersion, StepDeps } from "./steps.ts";
import { TrainingJobError } from "./TrainingJobError.ts";

/** Price of a trained model when the request names none (token base units): 0.001 per call, 0.01 per 1k output. */
export const DEFAULT_TRAINED_PRICING = {
  perCall: 10n ** 15n,
  per1kOutputTokens: 10n ** 16n,
  per1kInputTokens: 0n,
} as const;

/** Split when the request names none: 30% to the model owner, 70% to the data contributors. */
export const DEFAULT_TRAINED_SPLIT = { ownerBps: 3000, dataBps: 7000 } as const;

/** How far back (in model ids) a restarted job looks for the model it may already have registered. */
const LOOKBACK = 512n;

const zero = `0x${"0".repeat(64)}`;

/**
 * Registers a trained model once: the model card goes to the content store (its CID is the metadata URI, the
 * same bytes on every attempt), then ModelRegistry is searched for a model of this node with the same artifact
 * hash and metadata URI (a crash after the transaction but before the job row recorded it) before
 * `registerModel` is sent; then the lineage (base model hash, config hash) is recorded once.
 */
export async function registerTrainedModel(
  deps: StepDeps,
  row: TrainingJobRow,
  request: TrainingJobRequest,
  exported: readonly ExportedVersion[],
  training: Record<string, unknown>,
): Promise<void> {
  const chain = deps.ctx.chain;
  if (!chain)
    throw new TrainingJobError(
      "NO_CHAIN",
      "the node has no chain connection",
      "Start the node with a chain.",
    );
  if (!row.artifact_sha256 || !row.base_sha256 || !row.config_hash)
    throw new TrainingJobError(
      "JOB_INCOMPLETE",
      "the job has no artifact, base or config hash",
      "Submit it again.",
    );
  const card = {
    kind: request.method === "lora" ? "lora-adapter" : "model",
    name: request.name ?? null,
    format: "gguf",
    artifact: { cid: row.artifact_cid, sha256: row.artifact_sha256 },
    base: { cid: row.base_cid, sha256: row.base_sha256, input: request.base },
    configHash: row.config_hash,
    trainedOn: exported,
    training: { job: row.id, ...training },
  };
  const put = await deps.ctx.store.put(new TextEncoder().encode(canonicalJson(card)));
  const metadataURI = `ipfs://${put.cid}`;
  await deps.update(row.id, { metadata_uri: metadataURI });
  const sdk = chain.sdk;
  const me = chain.walletClient.account.address.toLowerCase();
  let modelId = row.model_id === null ? undefined : BigInt(row.model_id);
  if (modelId === undefined) {
    const count = await getModelCount(sdk);
    for (let id = count; id >= 1n && id > count - LOOKBACK; id--) {
      const m = await getModel(sdk, { modelId: id });
      if (
        m.owner.toLowerCase() === me &&
        m.artifactHash.toLowerCase() === row.artifact_sha256.toLowerCase() &&
        m.metadataURI === metadataURI
      ) {
        modelId = id;
        break;
      }
    }
  }
  try {
    if (modelId === undefined) {
      const pricing = request.pricing
        ? {
            perCall: BigInt(request.pricing.perCall),
            per1kOutputTokens: BigInt(request.pricing.per1kOutputTokens),
            per1kInputTokens: BigInt(request.pricing.per1kInputTokens ?? "0"),
          }
        : DEFAULT_TRAINED_PRICING;
      modelId = (
        await registerModel(sdk, {
          metadataURI,
          artifactHash: row.artifact_sha256 as Hex,
          baseModel: `${request.method === "lora" ? "lora:" : ""}${baseLabel(request, row)}`,
          trainedOn: exported.map((v) => ({ datanetId: BigInt(v.datanetId), version: BigInt(v.version) })),
          pricing,
          split: request.split ?? DEFAULT_TRAINED_SPLIT,
        })
      ).modelId;
    }
    await deps.update(row.id, { model_id: Number(modelId) });
    const lineage = await getLineage(sdk, { modelId, version: 1n });
    if (lineage.baseModelHash === zero) {
      await recordLineage(sdk, {
        modelId,
        version: 1n,
        baseModelHash: row.base_sha256 as Hex,
        configHash: row.config_hash as Hex,
      });
    }
    await deps.update(row.id, { lineage_recorded: 1 });
  } catch (error) {
    if (error instanceof ContractRevertError)
      throw new TrainingJobError(
        "MODEL_REGISTRATION_REVERTED",
        `ModelRegistry refused the model: ${error.message}`,
        error.hint ?? "Check the trained-on versions are published and the split sums to 10000.",
        { cause: error },
      );
    throw error;
  }
}

/** The base model as ModelRegistry's `baseModel` string: the GGUF's hash (and its name when it has one). */
function baseLabel(request: TrainingJobRequest, row: TrainingJobRow): string {
  const from = request.base === "tiny" ? "tiny-llama" : "gguf";
  return `${from}@sha256:${row.base_sha256!.slice(2)}`;
}
