import type { TrainingJobRow } from "../db/schema.ts";
import type { TrainingJobRequest, TrainingJobView } from "./schemas.ts";

/**
 * A job row as the API shows it: progress with an ETA from the trainer's throughput, the artifact, the
 * registered model and the error (code, message, hint) of a failed or cancelled job.
 */
export function toJobView(row: TrainingJobRow): TrainingJobView {
  const request = JSON.parse(row.request) as TrainingJobRequest;
  const { base, trainedOn, name, pricing, split, ...settings } = request;
  const tokensPerStep = request.batch * request.seq;
  const running = row.state === "training" && row.tokens_per_second && row.steps > 0;
  return {
    id: row.id,
    state: row.state,
    method: row.method,
    name: name ?? null,
    base: { input: base, cid: row.base_cid, sha256: row.base_sha256 },
    trainedOn: trainedOn.map((t) => ({ datanetId: String(t.datanetId), version: t.version })),
    settings: { ...settings, ...(pricing ? { pricing } : {}), ...(split ? { split } : {}) },
    progress: {
      step: row.step,
      steps: row.steps,
      loss: row.loss,
      firstLoss: row.first_loss,
      tokensPerSecond: row.tokens_per_second,
      etaSeconds: running ? ((row.steps - row.step) * tokensPerStep) / row.tokens_per_second! : null,
      tokens: row.tokens,
    },
    trainerRuns: row.trainer_runs,
    artifact:
      row.artifact_cid && row.artifact_sha256 ? { cid: row.artifact_cid, sha256: row.artifact_sha256 } : null,
    configHash: row.config_hash,
    metadataURI: row.metadata_uri,
    modelId: row.model_id === null ? null : String(row.model_id),
    lineageRecorded: row.lineage_recorded === 1,
    error:
      row.error_code && row.error_message
        ? { code: row.error_code, message: row.error_message, hint: row.error_hint ?? "" }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
