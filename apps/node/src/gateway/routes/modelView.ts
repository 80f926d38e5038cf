import type { GatewayModel } from "../models/types.ts";
import { redactUrl } from "../redactUrl.ts";

/**
 * The public description of a model (`GET /v1/models` item, `POST /v1/models` answer): OpenAI's model object
 * with Tributary's terms under `tributary` (never the upstream's API key or URL credentials).
 *
 * @example
 * c.json({ object: "list", data: models.map(modelView) });
 */
export function modelView(m: GatewayModel) {
  return {
    id: m.name,
    object: "model" as const,
    created: Math.floor(Date.parse(m.createdAt) / 1000),
    owned_by: m.owner,
    tributary: {
      modelId: m.modelId.toString(),
      kind: m.kind,
      datanetVersions: m.trainedOn.map((t) => ({ datanetId: t.datanetId.toString(), version: t.version })),
      pricing: {
        perCall: m.pricing.perCall.toString(),
        per1kOutputTokens: m.pricing.per1kOutputTokens.toString(),
        per1kInputTokens: m.pricing.per1kInputTokens.toString(),
      },
      limits: m.limits,
      split: m.split,
      owner: m.owner,
      deprecated: m.deprecated,
      // Scheme, host and path only: credentials in the URL (user:pass@, ?token=) are never served.
      ...(m.upstream
        ? { upstream: { baseURL: redactUrl(m.upstream.baseURL), model: m.upstream.model } }
        : {}),
      // The files' hashes (the model's identity), not their paths on the node's disk.
      ...(m.llama
        ? {
            llama: {
              baseSha256: m.llama.baseSha256,
              ...(m.llama.adapterSha256
                ? { adapterSha256: m.llama.adapterSha256, scale: m.llama.scale }
                : {}),
              ...(m.llama.contextSize ? { contextSize: m.llama.contextSize } : {}),
            },
          }
        : {}),
    },
  };
}
