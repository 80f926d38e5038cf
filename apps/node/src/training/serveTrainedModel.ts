import type { TrainingJobRow } from "../db/schema.ts";
import { registerLlamaModelOnNode } from "../gateway/llama/registerLlamaModelOnNode.ts";
import { jobFiles } from "./jobFiles.ts";
import { DEFAULT_TRAINED_PRICING, DEFAULT_TRAINED_SPLIT } from "./registerTrainedModel.ts";
import type { TrainingJobRequest } from "./schemas.ts";
import type { StepDeps } from "./steps.ts";

/**
 * Serves a registered trained model on this node (unless the request says `serve: false`): a LoRA adapter on
 * the base it was trained on (the job's copy of the base is kept for this), a whole model on its own. The model
 * is then in `/v1/models` under the request's name (or `trained-<modelId>`), metered and attributed over its
 * trained-on versions like every model. Idempotent: a restarted job finds the model already served.
 */
export async function serveTrainedModel(
  deps: StepDeps,
  jobId: string,
  request: TrainingJobRequest,
): Promise<void> {
  if (request.serve === false) return;
  const row = (await deps.db
    .selectFrom("training_jobs")
    .selectAll()
    .where("id", "=", jobId)
    .executeTakeFirstOrThrow()) as TrainingJobRow;
  if (row.model_id === null) return;
  const served = await deps.db
    .selectFrom("models")
    .select("name")
    .where("model_id", "=", row.model_id)
    .executeTakeFirst();
  if (served) return;
  const files = jobFiles(row.workdir);
  const wanted = request.name ?? `trained-${row.model_id}`;
  const taken = await deps.db
    .selectFrom("models")
    .select("name")
    .where("name", "=", wanted)
    .executeTakeFirst();
  await registerLlamaModelOnNode(deps.ctx, {
    name: taken ? `${wanted}-${row.model_id}` : wanted,
    ...(request.method === "lora"
      ? { baseFile: files.baseGguf, adapterFile: files.artifact }
      : { baseFile: files.artifact }),
    trainedOn: request.trainedOn.map((t) => ({ datanetId: BigInt(t.datanetId), version: t.version })),
    pricing: request.pricing
      ? {
          perCall: BigInt(request.pricing.perCall),
          per1kOutputTokens: BigInt(request.pricing.per1kOutputTokens),
          per1kInputTokens: BigInt(request.pricing.per1kInputTokens ?? 0),
        }
      : DEFAULT_TRAINED_PRICING,
    split: request.split ?? DEFAULT_TRAINED_SPLIT,
    modelId: BigInt(row.model_id),
  });
}
