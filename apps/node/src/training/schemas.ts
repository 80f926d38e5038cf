import { LLAMA_BLOCK_MATRICES } from "@tributary/gguf";
import { z } from "zod";

const amount = z.string().regex(/^(0|[1-9][0-9]{0,37})$/, "amounts are decimal strings (uint128)");
const datanetId = z.union([z.string().regex(/^[0-9]{1,15}$/), z.number().int().min(0)]);

/** Limits of a training request: what one job of a node on a small machine may ask for. */
export const TRAINING_LIMITS = {
  trainedOn: 32,
  rank: { min: 1, max: 128 },
  epochs: { min: 1, max: 100 },
  seq: { min: 16, max: 4096 },
  batch: { min: 1, max: 64 },
  maxSteps: { min: 1, max: 100_000 },
  threads: { min: 1, max: 16 },
} as const;

const int = (b: { min: number; max: number }) => z.number().int().min(b.min).max(b.max);

/** The tiny llama's default numbers: 128 wide, 4 layers, grouped-query attention (4 heads, 2 KV heads). */
export const TINY_DEFAULTS = {
  nEmbd: 128,
  nLayer: 4,
  nHead: 4,
  nHeadKv: 2,
  nFf: 344,
  nCtxTrain: 256,
} as const;

/** Numbers of a tiny llama built from scratch (`base: "tiny"`); defaults train in under a minute on 2 cores. */
export const tinyHparamsSchema = z.strictObject({
  nEmbd: z.number().int().min(16).max(1024).default(128),
  nLayer: z.number().int().min(1).max(12).default(4),
  nHead: z.number().int().min(1).max(32).default(4),
  nHeadKv: z.number().int().min(1).max(32).default(2),
  nFf: z.number().int().min(16).max(4096).default(344),
  nCtxTrain: z.number().int().min(32).max(4096).default(256),
});

/** `POST /v1/training/jobs` (operator). */
export const trainingJobBody = z
  .strictObject({
    /** A GGUF path on the node's machine, the CID of a GGUF in its content store, or "tiny" (a new tiny llama). */
    base: z.string().min(1).max(4096),
    trainedOn: z
      .array(z.strictObject({ datanetId, version: z.number().int().min(1).max(1_000_000) }))
      .min(1)
      .max(TRAINING_LIMITS.trainedOn),
    method: z.enum(["lora", "full"]).default("lora"),
    rank: int(TRAINING_LIMITS.rank).default(8),
    alpha: z.number().positive().max(1024).default(16),
    targets: z
      .array(z.enum(LLAMA_BLOCK_MATRICES))
      .min(1)
      .max(7)
      .default(["attn_q", "attn_k", "attn_v", "attn_output"]),
    epochs: int(TRAINING_LIMITS.epochs).default(1),
    seq: int(TRAINING_LIMITS.seq).default(128),
    batch: int(TRAINING_LIMITS.batch).default(8),
    lr: z.number().positive().max(0.1).optional(),
    maxSteps: int(TRAINING_LIMITS.maxSteps).optional(),
    seed: z.number().int().min(0).max(2_147_483_647).default(0),
    threads: int(TRAINING_LIMITS.threads).default(2),
    tiny: tinyHparamsSchema.optional(),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, "1-64 letters, digits, '.', '_', '-'")
      .optional(),
    /** Serve the trained model on this node once registered (default): it appears in /v1/models. */
    serve: z.boolean().default(true),
    pricing: z
      .strictObject({ perCall: amount, per1kOutputTokens: amount, per1kInputTokens: amount.optional() })
      .optional(),
    split: z
      .strictObject({
        ownerBps: z.number().int().min(0).max(10_000),
        dataBps: z.number().int().min(0).max(10_000),
      })
      .refine((s) => s.ownerBps + s.dataBps === 10_000, "ownerBps + dataBps must be 10000")
      .optional(),
  })
  .refine((b) => b.base !== "tiny" || b.method === "full", {
    message: 'a new tiny base ("tiny") has random weights: train it with method "full"',
    path: ["method"],
  })
  .refine((b) => b.tiny === undefined || b.base === "tiny", {
    message: '`tiny` sets the numbers of a new tiny base: use it with base "tiny"',
    path: ["tiny"],
  });

/** A validated training request. */
export type TrainingJobRequest = z.output<typeof trainingJobBody>;

/** `GET /v1/training/jobs/:id` and every job answer. */
export const trainingJobView = z.object({
  id: z.string(),
  state: z.enum([
    "queued",
    "exporting",
    "tokenizing",
    "training",
    "converting",
    "registering",
    "done",
    "failed",
    "cancelled",
  ]),
  method: z.enum(["lora", "full"]),
  name: z.string().nullable(),
  base: z.object({ input: z.string(), cid: z.string().nullable(), sha256: z.string().nullable() }),
  trainedOn: z.array(z.object({ datanetId: z.string(), version: z.number() })),
  settings: z.record(z.string(), z.unknown()),
  progress: z.object({
    step: z.number(),
    steps: z.number(),
    loss: z.number().nullable(),
    firstLoss: z.number().nullable(),
    tokensPerSecond: z.number().nullable(),
    etaSeconds: z.number().nullable(),
    tokens: z.number().nullable(),
  }),
  trainerRuns: z.number(),
  artifact: z.object({ cid: z.string(), sha256: z.string() }).nullable(),
  configHash: z.string().nullable(),
  metadataURI: z.string().nullable(),
  modelId: z.string().nullable(),
  lineageRecorded: z.boolean(),
  error: z.object({ code: z.string(), message: z.string(), hint: z.string() }).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().nullable(),
});

/** A job as the API shows it. */
export type TrainingJobView = z.output<typeof trainingJobView>;
