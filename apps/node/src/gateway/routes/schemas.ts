import { z } from "zod";
import { LIMIT_BOUNDS } from "../promptLimits.ts";

/** Bodies of the gateway's routes (zod), validated at the edge. */

const agentId = z.union([
  z.string().regex(/^[1-9][0-9]{0,19}$/, "an agent id is a decimal integer ≥ 1"),
  z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
]);

const common = {
  model: z.string().min(1),
  max_tokens: z.number().int().min(1).max(4096).optional(),
  max_completion_tokens: z.number().int().min(1).max(4096).optional(),
  temperature: z.number().min(0).max(2).optional(),
  seed: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  stream: z.boolean().optional(),
  tributary: z.object({ agentId: agentId.optional() }).optional(),
};

const content = z.union([z.string(), z.array(z.object({ type: z.literal("text"), text: z.string() }))]);

/** `POST /v1/chat/completions`. */
export const chatBody = z.object({
  ...common,
  messages: z
    .array(
      z.object({
        role: z.enum(["system", "developer", "user", "assistant", "tool"]),
        content: z.union([content, z.null()]),
      }),
    )
    .min(1),
});

/** `POST /v1/completions`. */
export const completionBody = z.object({
  ...common,
  prompt: z.union([z.string(), z.array(z.string()).length(1)]),
});

/** What the OpenAI routes' bodies may get wrong, as the 400's hint. */
export const OPENAI_HINT =
  "Check the body against OpenAI's API reference (model, messages or prompt, max_tokens 1..4096, temperature 0..2); `tributary.agentId` is a decimal id.";

const amount = z.string().regex(/^(0|[1-9][0-9]{0,37})$/, "amounts are decimal strings (uint128)");
const datanetIdSchema = z.union([z.string().regex(/^[0-9]{1,15}$/), z.number().int().min(0)]);
/** `per1kInputTokens` absent = "0": prompts are free at this model (their size is still limited). */
const pricingSchema = z.object({
  perCall: amount,
  per1kOutputTokens: amount,
  per1kInputTokens: amount.optional(),
});
const limit = (k: keyof typeof LIMIT_BOUNDS) =>
  z.number().int().min(LIMIT_BOUNDS[k].min).max(LIMIT_BOUNDS[k].max).optional();
/** The node's limits on a model's requests; each absent one is the node's default. */
const limitsSchema = z
  .strictObject({
    maxInputTokens: limit("maxInputTokens"),
    maxPromptBytes: limit("maxPromptBytes"),
    maxOutputTokens: limit("maxOutputTokens"),
  })
  .optional();
const splitSchema = z
  .object({ ownerBps: z.number().int().min(0).max(10_000), dataBps: z.number().int().min(0).max(10_000) })
  .refine((s) => s.ownerBps + s.dataBps === 10_000, "ownerBps + dataBps must be 10000");
const modelName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, "1-64 letters, digits, '.', '_', ':', '/', '-'")
  .refine((n) => !/^[0-9]+$/.test(n), "a name cannot be only digits (those address models by id)");
const versionRef = z.object({ datanetId: datanetIdSchema, version: z.number().int().min(1) });

/** `POST /v1/models` (operator). */
export const modelBody = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("infinigram"),
      name: modelName,
      datanetId: datanetIdSchema.optional(),
      version: z.number().int().min(1).optional(),
      trainedOn: z.array(versionRef).min(1).max(32).optional(),
      pricing: pricingSchema,
      split: splitSchema,
      metadataURI: z.string().min(1).max(2048).optional(),
      limits: limitsSchema,
    })
    .refine((b) => (b.trainedOn !== undefined) !== (b.datanetId !== undefined || b.version !== undefined), {
      message:
        "give either datanetId and version (one version) or trainedOn (one or more versions), not both",
    })
    .refine((b) => b.trainedOn !== undefined || (b.datanetId !== undefined && b.version !== undefined), {
      message: "datanetId and version go together",
    }),
  z.object({
    kind: z.literal("external"),
    name: modelName,
    upstream: z.object({
      baseURL: z.url({ protocol: /^https?$/ }),
      model: z.string().min(1).max(256),
      apiKey: z.string().min(1).max(4096).optional(),
    }),
    trainedOn: z.array(versionRef).min(1).max(32),
    pricing: pricingSchema,
    split: splitSchema,
    metadataURI: z.string().min(1).max(2048).optional(),
    limits: limitsSchema,
  }),
  z.object({
    kind: z.literal("llama"),
    name: modelName,
    /** Absolute paths on the node's disk (the operator's own files). */
    baseFile: z.string().min(1).max(4096).startsWith("/"),
    adapterFile: z.string().min(1).max(4096).startsWith("/").optional(),
    scale: z.number().gt(0).max(16).optional(),
    /** A model the training job registered already (decimal id). */
    modelId: z
      .string()
      .regex(/^[1-9][0-9]{0,30}$/)
      .optional(),
    trainedOn: z.array(versionRef).min(1).max(32),
    pricing: pricingSchema,
    split: splitSchema,
    metadataURI: z.string().min(1).max(2048).optional(),
    limits: limitsSchema,
  }),
]);

/** `POST /v1/keys` (operator). */
export const keyBody = z.object({
  payer: z.string(),
  name: z.string().min(1).max(200).optional(),
  rateLimitPerMinute: z.number().int().min(1).max(1_000_000).optional(),
});
