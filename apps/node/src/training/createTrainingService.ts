import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { TributaryError } from "@tributary/core";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import { renderVersionExport } from "../datanets/export/renderVersionExport.ts";
import { VersionError } from "../datanets/publish/errors.ts";
import type { TrainingJobRow, TrainingJobState } from "../db/schema.ts";
import { prepareBase } from "./prepareBase.ts";
import type { TrainingJobRequest } from "./schemas.ts";
import {
  convertStep,
  exportStep,
  NEXT_STATE,
  registerStep,
  type StepDeps,
  tokenizeStep,
  trainStep,
} from "./steps.ts";
import { toJobView } from "./toJobView.ts";
import { checkTrainer, trainerCommand } from "./trainerCommand.ts";

/** Options of {@link createTrainingService}. */
export type CreateTrainingServiceOptions = {
  /** Trainer command (default `TRIBUTARY_TRAINER`, else `/usr/bin/python3 <repo>/trainer/train.py`). */
  trainer?: readonly string[];
  /** Where job workdirs go (default `<dataDir>/training`). */
  workRoot?: string;
  /** How often the trainer's progress is copied into the job (default 500 ms). */
  pollMs?: number;
  /** Trainer starts per job before it fails (default 5). */
  maxTrainerRuns?: number;
};

/** The training jobs of a node: submit, read, cancel; one job runs at a time, the others wait in order. */
export type TrainingService = {
  submit(request: TrainingJobRequest): Promise<ReturnType<typeof toJobView>>;
  get(id: string): Promise<ReturnType<typeof toJobView>>;
  /** Jobs newest first, `offset` skipped. */
  list(limit: number, offset?: number): Promise<ReturnType<typeof toJobView>[]>;
  cancel(id: string): Promise<ReturnType<typeof toJobView>>;
  /** Resumes unfinished jobs (a node restart): each continues from the last step it recorded. */
  start(): void;
  /** Stops the running trainer (it checkpoints) and waits for the runner; unfinished jobs resume on `start`. */
  stop(): Promise<void>;
  /** Resolves when no job is left to run (tests). */
  idle(): Promise<void>;
};

const FINAL: readonly TrainingJobState[] = ["done", "failed", "cancelled"];

/**
 * Creates the node's training service. Every step of a job is recorded in `training_jobs` before the next
 * starts, so a crash at any point resumes at that step: export and tokenize are redone, the trainer resumes
 * from its checkpoint, conversion is redone, and registration checks the chain first (one model per job).
 *
 * @example
 * const training = createTrainingService(ctx);
 * training.start();
 * const job = await training.submit(trainingJobBody.parse({ base: "/models/base.gguf", trainedOn: [{ datanetId: 1, version: 2 }] }));
 */
export function createTrainingService(
  ctx: NodeContext,
  options: CreateTrainingServiceOptions = {},
): TrainingService {
  const db = ctx.db;
  const trainer = trainerCommand(options.trainer);
  const workRoot = options.workRoot ?? join(ctx.dataDir, "training");
  const children = new Map<string, ChildProcess>();
  let stopping = false;
  let running: Promise<void> | undefined;
  let trainerChecked = false;

  const now = () => new Date().toISOString();
  const update = async (id: string, fields: Partial<TrainingJobRow>): Promise<boolean> => {
    const r = await db
      .updateTable("training_jobs")
      .set({ ...fields, updated_at: now() })
      .where("id", "=", id)
      .where("state", "not in", FINAL as TrainingJobState[])
      .executeTakeFirst();
    return r.numUpdatedRows > 0n;
  };
  const deps: StepDeps = {
    ctx,
    db,
    trainer,
    children,
    isStopping: () => stopping,
    pollMs: options.pollMs ?? 500,
    maxTrainerRuns: options.maxTrainerRuns ?? 5,
    update,
  };

  const load = async (id: string): Promise<TrainingJobRow> => {
    const row = await db.selectFrom("training_jobs").selectAll().where("id", "=", id).executeTakeFirst();
    if (!row)
      throw new ApiError(
        404,
        "TRAINING_JOB_NOT_FOUND",
        `there is no training job ${id}`,
        "List the jobs with GET /v1/training/jobs (tributary model jobs).",
      );
    return row;
  };

  const runJob = async (id: string): Promise<void> => {
    for (;;) {
      if (stopping) return;
      const row = await load(id);
      if (FINAL.includes(row.state)) return;
      const request = JSON.parse(row.request) as TrainingJobRequest;
      try {
        switch (row.state) {
          case "queued":
            break;
          case "exporting":
            await exportStep(deps, row, request);
            break;
          case "tokenizing":
            await tokenizeStep(deps, row, request);
            break;
          case "training":
            if ((await trainStep(deps, row, request)) === "stopped") return;
            break;
          case "converting":
            await convertStep(deps, row, request);
            break;
          case "registering":
            await registerStep(deps, row, request);
            break;
        }
      } catch (error) {
        if (stopping) return;
        const e = TributaryError.is(error) ? error : undefined;
        ctx.log("warn", `training: job ${id} failed at ${row.state}`, { error: (error as Error).message });
        await update(id, {
          state: "failed",
          error_code: e?.code ?? "TRAINING_STEP_FAILED",
          error_message: e ? e.message : `${row.state}: ${(error as Error).message}`,
          error_hint: e?.hint ?? "Read the node's log; fix the cause and submit the job again.",
          finished_at: now(),
        });
        return;
      }
      const next = NEXT_STATE[row.state]!;
      await update(id, { state: next, ...(next === "done" ? { finished_at: now() } : {}) });
    }
  };

  const pump = (): Promise<void> => {
    running ??= (async () => {
      try {
        while (!stopping) {
          const next = await db
            .selectFrom("training_jobs")
            .select("id")
            .where("state", "not in", FINAL as TrainingJobState[])
            .orderBy("created_at")
            .orderBy("id")
            .executeTakeFirst();
          if (!next) break;
          await runJob(next.id);
        }
      } catch (error) {
        ctx.log("error", `training: runner stopped: ${(error as Error).message}`);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  const checkTrainedOn = async (request: TrainingJobRequest): Promise<void> => {
    const seen = new Set<string>();
    for (const t of request.trainedOn) {
      const key = `${t.datanetId}/${t.version}`;
      if (seen.has(key))
        throw new ApiError(
          400,
          "DUPLICATE_TRAINED_ON",
          `datanet ${t.datanetId} version ${t.version} is listed twice in trainedOn`,
          "List each datanet version once.",
        );
      seen.add(key);
      try {
        await renderVersionExport(ctx, { datanetId: BigInt(t.datanetId), version: t.version });
      } catch (error) {
        if (!(error instanceof VersionError)) throw error;
        const status = error.code === "VERSION_NOT_FOUND" || error.code === "DATANET_NOT_FOUND" ? 404 : 409;
        throw new ApiError(status, error.code, error.message, error.hint, { cause: error });
      }
    }
  };

  return {
    async submit(request) {
      if (!ctx.chain)
        throw new ApiError(
          503,
          "NO_CHAIN",
          "training registers the model on chain and this node has no chain connection",
          "Start the node with a `chain` config (rpcUrl, deployment, account).",
        );
      if (!trainerChecked) {
        await checkTrainer(trainer);
        trainerChecked = true;
      }
      await checkTrainedOn(request);
      const base = request.base === "tiny" ? undefined : await prepareBase(ctx, request.base);
      const id = `tj_${randomBytes(8).toString("hex")}`;
      const at = now();
      await db
        .insertInto("training_jobs")
        .values({
          id,
          state: "queued",
          method: request.method,
          request: JSON.stringify(request),
          base_cid: base?.cid ?? null,
          base_sha256: base?.sha256 ?? null,
          workdir: join(workRoot, id),
          tokens: null,
          tokens_sha256: null,
          step: 0,
          steps: 0,
          loss: null,
          first_loss: null,
          tokens_per_second: null,
          trainer_runs: 0,
          artifact_cid: null,
          artifact_sha256: null,
          config_hash: null,
          metadata_uri: null,
          model_id: null,
          lineage_recorded: 0,
          error_code: null,
          error_message: null,
          error_hint: null,
          created_at: at,
          updated_at: at,
          finished_at: null,
        })
        .execute();
      stopping = false;
      void pump();
      return toJobView(await load(id));
    },
    async get(id) {
      return toJobView(await load(id));
    },
    async list(limit, offset = 0) {
      const rows = await db
        .selectFrom("training_jobs")
        .selectAll()
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .offset(offset)
        .execute();
      return rows.map(toJobView);
    },
    async cancel(id) {
      const row = await load(id);
      if (FINAL.includes(row.state))
        throw new ApiError(
          409,
          "TRAINING_JOB_FINISHED",
          `training job ${id} is already ${row.state}`,
          "Only a queued or running job can be cancelled.",
        );
      if (row.state === "registering")
        throw new ApiError(
          409,
          "TRAINING_JOB_REGISTERING",
          `training job ${id} is registering its model on chain`,
          "Wait for it to finish; deprecate the model afterwards if it is not wanted.",
        );
      await update(id, {
        state: "cancelled",
        error_code: "CANCELLED",
        error_message: "cancelled by the operator",
        error_hint: "Submit the job again to train anew.",
        finished_at: now(),
      });
      const child = children.get(id);
      if (child) {
        child.kill("SIGTERM");
        setTimeout(() => child.exitCode === null && child.kill("SIGKILL"), 5000).unref();
      }
      return toJobView(await load(id));
    },
    start() {
      stopping = false;
      void pump();
    },
    async stop() {
      stopping = true;
      for (const child of children.values()) child.kill("SIGTERM");
      const kill = setTimeout(() => {
        for (const child of children.values()) child.kill("SIGKILL");
      }, 15_000);
      await running;
      clearTimeout(kill);
    },
    async idle() {
      while (running) await running;
    },
  };
}
