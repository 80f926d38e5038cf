import type { Address } from "viem";
import { UPSTREAM_PURPOSE } from "../../db/migrations/014_sealed_secrets.ts";
import type { ModelRow } from "../../db/schema.ts";
import type { SecretBox } from "../../secrets/createSecretBox.ts";
import type { LlamaFiles } from "../llama/types.ts";
import { type ModelLimits, modelLimits } from "../promptLimits.ts";
import type { Upstream } from "../upstream.ts";
import type { GatewayModel, TrainedOnVersion } from "./types.ts";

function parseTrainedOn(text: string): TrainedOnVersion[] {
  return (JSON.parse(text) as { datanetId: string; version: number }[]).map((t) => ({
    datanetId: BigInt(t.datanetId),
    version: t.version,
  }));
}

/** An external model's upstream as stored: sealed under the node's secrets key (migration 014). */
function openUpstream(row: ModelRow, secrets: SecretBox): Upstream | undefined {
  if (!row.upstream) return undefined;
  return JSON.parse(secrets.open(row.upstream, UPSTREAM_PURPOSE)) as Upstream;
}

/**
 * A stored model row as the gateway serves it (terms as registered; `withTerms` brings them up to date).
 *
 * @example
 * const model = toModel(row, secrets, nodeLimits(ctx.gateway));
 */
export function toModel(row: ModelRow, secrets: SecretBox, defaults: ModelLimits): GatewayModel {
  const upstream = openUpstream(row, secrets);
  const trainedOn = parseTrainedOn(row.trained_on ?? "[]");
  const llama = row.llama ? (JSON.parse(row.llama) as LlamaFiles) : undefined;
  const limits = modelLimits(row, defaults);
  // A llama model cannot take more than its context: prompt + BOS, or output, alone must fit.
  if (llama?.contextSize) {
    limits.maxInputTokens = Math.min(limits.maxInputTokens, llama.contextSize - 2);
    limits.maxOutputTokens = Math.min(limits.maxOutputTokens, llama.contextSize - 2);
  }
  return {
    modelId: BigInt(row.model_id),
    name: row.name,
    kind: row.kind,
    datanetId: BigInt(row.datanet_id),
    version: row.version,
    indexId: row.index_id,
    trainedOn:
      trainedOn.length > 0 ? trainedOn : [{ datanetId: BigInt(row.datanet_id), version: row.version }],
    ...(upstream ? { upstream } : {}),
    ...(llama ? { llama } : {}),
    pricing: {
      perCall: BigInt(row.per_call),
      per1kOutputTokens: BigInt(row.per_1k_output_tokens),
      per1kInputTokens: BigInt(row.per_1k_input_tokens),
    },
    split: { ownerBps: row.owner_bps, dataBps: row.data_bps },
    owner: row.owner as Address,
    deprecated: false,
    limits,
    createdAt: row.created_at,
  };
}

/** A model's own limits as stored: null where it has none (the node's default applies, even if it changes). */
export function storedLimits(limits: Partial<ModelLimits> | undefined) {
  return {
    max_input_tokens: limits?.maxInputTokens ?? null,
    max_prompt_bytes: limits?.maxPromptBytes ?? null,
    max_output_tokens: limits?.maxOutputTokens ?? null,
  };
}
