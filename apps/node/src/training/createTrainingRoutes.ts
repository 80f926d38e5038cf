import type { Hono } from "hono";
import { z } from "zod";
import { ApiError } from "../api/ApiError.ts";
import { createRouter, defineRoute } from "../api/defineRoute.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import {
  type CreateTrainingServiceOptions,
  createTrainingService,
  type TrainingService,
} from "./createTrainingService.ts";
import { trainingJobBody, trainingJobView } from "./schemas.ts";

/** Options of {@link createTrainingRoutes}. */
export type CreateTrainingRoutesOptions = CreateTrainingServiceOptions & {
  /** The service to use (one is created from `ctx` when omitted). */
  service?: TrainingService;
  /** Resume unfinished jobs at once (default true when the node has a chain). */
  resumeOnStart?: boolean;
};

const JobParams = z.object({
  id: z.string().regex(/^tj_[0-9a-f]{16}$/, "a job id is tj_ and 16 hex digits"),
});
const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z
    .string()
    .regex(/^[0-9]{1,9}$/, "the nextCursor of the previous page")
    .optional(),
});

const BODY_HINT =
  'Send { base: "<path of a llama GGUF on the node> | <CID> | tiny", trainedOn: [{ datanetId, version }], method?: "lora" | "full", rank?: 1..128, alpha?, epochs?: 1..100, seq?: 16..4096, batch?: 1..64, lr?, maxSteps?, seed?, threads?: 1..16, name?, pricing?, split? } (docs/training.md).';

/**
 * The training routes (all operator routes: a job spends the node's CPU and gas):
 *
 * - `POST /v1/training/jobs` → 202 with the job: checks the trainer (503 `TRAINER_UNAVAILABLE` names what to
 *   install), the trained-on versions (404 `VERSION_NOT_FOUND`, …) and the base GGUF (404 `BASE_NOT_FOUND`,
 *   422 `BASE_NOT_TRAINABLE`) before anything is recorded;
 * - `GET /v1/training/jobs?limit=1..500&cursor=` → `{ items, nextCursor }`, newest first;
 * - `GET /v1/training/jobs/:id` → state, progress (step, steps, loss, tokens/s, ETA), artifact, model id;
 * - `POST /v1/training/jobs/:id/cancel` → the cancelled job (the trainer is killed);
 * - `GET /v1/training/jobs/:id/artifact` → the trained GGUF (adapter or model).
 *
 * @example
 * const node = await createNode({ dataDir, chain, routes: [(ctx) => createTrainingRoutes(ctx)] });
 */
export function createTrainingRoutes(ctx: NodeContext, options: CreateTrainingRoutesOptions = {}): Hono {
  const service = options.service ?? createTrainingService(ctx, options);
  if (options.resumeOnStart ?? Boolean(ctx.chain)) service.start();
  const router = createRouter(ctx);
  router.add(
    defineRoute({
      method: "post",
      path: "/v1/training/jobs",
      summary: "Start a training job (LoRA or full) on published datanet versions",
      tags: ["training"],
      operator: true,
      body: trainingJobBody,
      hints: { body: BODY_HINT },
      responses: { 202: { description: "The job, queued.", schema: trainingJobView } },
      errors: {
        404: ["BASE_NOT_FOUND", "VERSION_NOT_FOUND", "DATANET_NOT_FOUND", "MANIFEST_MISSING"],
        409: ["CONTENT_MISSING"],
        413: ["BASE_TOO_LARGE"],
        422: ["BASE_NOT_GGUF", "BASE_NOT_TRAINABLE", "MANIFEST_INVALID"],
        503: ["NO_CHAIN", "TRAINER_UNAVAILABLE"],
      },
      handler: ({ body }) => service.submit(body),
    }),
    defineRoute({
      method: "get",
      path: "/v1/training/jobs",
      summary: "List training jobs, newest first",
      tags: ["training"],
      operator: true,
      query: ListQuery,
      hints: { query: "Use ?limit=1..500&cursor=<nextCursor>." },
      responses: {
        200: {
          description: "A page of jobs, newest first.",
          schema: z.object({ items: z.array(trainingJobView), nextCursor: z.string().nullable() }),
        },
      },
      handler: async ({ query }) => {
        const offset = Number(query.cursor ?? 0);
        const items = await service.list(query.limit + 1, offset);
        const more = items.length > query.limit;
        return { items: items.slice(0, query.limit), nextCursor: more ? String(offset + query.limit) : null };
      },
    }),
    defineRoute({
      method: "get",
      path: "/v1/training/jobs/:id",
      summary: "One training job: state, progress, loss, tokens/s, ETA, artifact and model",
      tags: ["training"],
      operator: true,
      params: JobParams,
      hints: { params: "Use a job id from POST /v1/training/jobs (tj_ and 16 hex digits)." },
      responses: { 200: { description: "The job.", schema: trainingJobView } },
      errors: { 404: ["TRAINING_JOB_NOT_FOUND"] },
      handler: ({ params }) => service.get(params.id),
    }),
    defineRoute({
      method: "post",
      path: "/v1/training/jobs/:id/cancel",
      summary: "Cancel a queued or running training job (kills the trainer)",
      tags: ["training"],
      operator: true,
      params: JobParams,
      hints: { params: "Use a job id from POST /v1/training/jobs (tj_ and 16 hex digits)." },
      responses: { 200: { description: "The job, cancelled.", schema: trainingJobView } },
      errors: { 404: ["TRAINING_JOB_NOT_FOUND"], 409: ["TRAINING_JOB_FINISHED", "TRAINING_JOB_REGISTERING"] },
      handler: ({ params }) => service.cancel(params.id),
    }),
    defineRoute({
      method: "get",
      path: "/v1/training/jobs/:id/artifact",
      summary: "Download the GGUF a finished job made (LoRA adapter or whole model)",
      tags: ["training"],
      operator: true,
      params: JobParams,
      hints: { params: "Use a job id from POST /v1/training/jobs (tj_ and 16 hex digits)." },
      responses: { 200: { description: "The GGUF file.", contentType: "application/octet-stream" } },
      errors: { 404: ["TRAINING_JOB_NOT_FOUND", "ARTIFACT_NOT_READY"] },
      handler: async ({ c, params }) => {
        const job = await service.get(params.id);
        const bytes = job.artifact ? await ctx.store.get(job.artifact.cid) : undefined;
        if (!bytes)
          throw new ApiError(
            404,
            "ARTIFACT_NOT_READY",
            `training job ${params.id} has no artifact yet (state ${job.state})`,
            "Wait until the job is converting, registering or done (GET /v1/training/jobs/:id).",
          );
        return c.newResponse(bytes as Uint8Array<ArrayBuffer>, 200, {
          "content-type": "application/octet-stream",
          "content-disposition": `attachment; filename="${job.name ?? params.id}.gguf"`,
        });
      },
    }),
  );
  return router.app;
}
