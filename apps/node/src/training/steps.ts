import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, rm, stat } from "node:fs/promises";
import { canonicalJson } from "@tributary/core";
import {
  createTinyLlama,
  fullModelGguf,
  ggufToTrainingFiles,
  loraAdapterGguf,
  readGguf,
  readSafetensors,
  tinyVocab,
} from "@tributary/gguf";
import type { Kysely } from "kysely";
import type { NodeContext } from "../context/NodeContext.ts";
import { exportVersion } from "../datanets/export/exportVersion.ts";
import type { Database, TrainingJobRow, TrainingJobState } from "../db/schema.ts";
import { writeFileAtomic } from "../fs/writeFileAtomic.ts";
import { jobFiles, type ProgressLine, readJsonFile, readProgress } from "./jobFiles.ts";
import { registerTrainedModel } from "./registerTrainedModel.ts";
import { TINY_DEFAULTS, type TrainingJobRequest } from "./schemas.ts";
import { serveTrainedModel } from "./serveTrainedModel.ts";
import { TrainingJobError } from "./TrainingJobError.ts";
import { tokenizeDocuments } from "./tokenizeDocuments.ts";
import { TRAINER_INSTALL_HINT } from "./trainerCommand.ts";

/** What the steps of a job share with the service that runs them. */
export type StepDeps = {
  ctx: NodeContext;
  db: Kysely<Database>;
  trainer: readonly string[];
  /** Running trainers by job id (cancel and stop kill them). */
  children: Map<string, ChildProcess>;
  isStopping(): boolean;
  pollMs: number;
  /** Trainer starts per job before it fails (a trainer killed from outside is restarted; it resumes). */
  maxTrainerRuns: number;
  /** Sets fields of the job unless it reached a final state meanwhile (a cancel wins). */
  update(id: string, fields: Partial<TrainingJobRow>): Promise<boolean>;
};

/** A trained-on version as exported: what the model card and the lineage record. */
export type ExportedVersion = {
  datanetId: string;
  version: number;
  contributionsRoot: string;
  manifestURI: string;
  rows: number;
};

const hex = (bytes: Uint8Array | string) => `0x${createHash("sha256").update(bytes).digest("hex")}`;
const encoder = new TextEncoder();

/** Step `exporting`: every trained-on version's documents into the workdir; a tiny base is built from them. */
export async function exportStep(
  deps: StepDeps,
  row: TrainingJobRow,
  request: TrainingJobRequest,
): Promise<void> {
  const files = jobFiles(row.workdir);
  await mkdir(row.workdir, { recursive: true });
  const exported: ExportedVersion[] = [];
  const texts: string[] = [];
  for (const t of request.trainedOn) {
    const datanetId = BigInt(t.datanetId);
    const out = await exportVersion(deps.ctx, {
      datanetId,
      version: t.version,
      outDir: files.exportDir(datanetId.toString(), t.version),
    });
    exported.push({
      datanetId: datanetId.toString(),
      version: t.version,
      contributionsRoot: out.contributionsRoot,
      manifestURI: out.manifestURI,
      rows: out.rows,
    });
    texts.push(...(await documentsOf(out.files.data)));
  }
  await writeFileAtomic(files.trainedOn, encoder.encode(JSON.stringify(exported)));
  if (request.base === "tiny" && !row.base_cid) {
    const h = request.tiny ?? TINY_DEFAULTS;
    const bytes = createTinyLlama({
      hparams: { ...h, ropeFreqBase: 10000, rmsEps: 1e-5 },
      vocab: tinyVocab(texts.join("\n")),
      seed: request.seed + 1,
      name: request.name ?? "tributary-tiny",
    });
    const put = await deps.ctx.store.put(bytes);
    await deps.update(row.id, { base_cid: put.cid, base_sha256: put.sha256 });
  }
}

/** The `text` of every row of an exported data.jsonl. */
async function documentsOf(path: string): Promise<string[]> {
  const out: string[] = [];
  for (const line of (await readFile(path, "utf8")).split("\n")) {
    if (line.trim()) out.push((JSON.parse(line) as { text: string }).text);
  }
  return out;
}

/** Step `tokenizing`: base.gguf, base.safetensors, config.json and tokens.bin; the training config's hash. */
export async function tokenizeStep(
  deps: StepDeps,
  row: TrainingJobRow,
  request: TrainingJobRequest,
): Promise<void> {
  const files = jobFiles(row.workdir);
  const baseBytes = row.base_cid ? await deps.ctx.store.get(row.base_cid) : undefined;
  if (!baseBytes)
    throw new TrainingJobError(
      "BASE_MISSING",
      `the base model ${row.base_cid ?? "(none)"} is no longer in the content store`,
      "Restore the content store, or submit the job again.",
    );
  await writeFileAtomic(files.baseGguf, baseBytes);
  const training = ggufToTrainingFiles(baseBytes);
  await writeFileAtomic(files.baseSafetensors, training["base.safetensors"]);
  await writeFileAtomic(files.config, encoder.encode(training["config.json"]));
  const exported = (await readJsonFile<ExportedVersion[]>(files.trainedOn)) ?? [];
  const texts: string[] = [];
  for (const v of exported)
    texts.push(...(await documentsOf(`${files.exportDir(v.datanetId, v.version)}/data.jsonl`)));
  const tokenized = await tokenizeDocuments(files.baseGguf, texts);
  await writeFileAtomic(files.tokens, tokenized.bytes);
  const config = trainingConfig(request, exported, tokenized.sha256);
  await deps.update(row.id, {
    tokens: tokenized.tokens,
    tokens_sha256: tokenized.sha256,
    config_hash: hex(canonicalJson(config)),
  });
}

/** The training configuration whose sha-256 goes on chain: everything that determines the result. */
export function trainingConfig(
  request: TrainingJobRequest,
  exported: readonly ExportedVersion[],
  tokensSha256: string,
) {
  return {
    trainer: "tributary-trainer/1",
    method: request.method,
    ...(request.method === "lora"
      ? { rank: request.rank, alpha: request.alpha, targets: request.targets }
      : {}),
    epochs: request.epochs,
    seq: request.seq,
    batch: request.batch,
    lr: request.lr ?? null,
    maxSteps: request.maxSteps ?? null,
    seed: request.seed,
    tokensSha256,
    trainedOn: exported.map((v) => ({
      datanetId: v.datanetId,
      version: v.version,
      contributionsRoot: v.contributionsRoot,
    })),
  };
}

/** The trainer's command line for a job (trainer/README.md). */
export function trainerArgs(deps: StepDeps, row: TrainingJobRow, request: TrainingJobRequest): string[] {
  return [
    ...deps.trainer,
    "--workdir",
    row.workdir,
    "--mode",
    request.method,
    "--rank",
    String(request.rank),
    "--alpha",
    String(request.alpha),
    "--targets",
    request.targets.join(","),
    "--epochs",
    String(request.epochs),
    "--seq",
    String(request.seq),
    "--batch",
    String(request.batch),
    "--threads",
    String(request.threads),
    "--seed",
    String(request.seed),
    ...(request.lr === undefined ? [] : ["--lr", String(request.lr)]),
    ...(request.maxSteps === undefined ? [] : ["--max-steps", String(request.maxSteps)]),
    "--exit-with-parent",
  ];
}

/**
 * Step `training`: runs the trainer until it writes done.json, following progress.jsonl. A trainer that exits
 * interrupted (killed, or stopped with the node) is started again and resumes from its checkpoint, up to
 * `maxTrainerRuns`; `"stopped"` when the job was cancelled or the node is stopping.
 */
export async function trainStep(
  deps: StepDeps,
  row: TrainingJobRow,
  request: TrainingJobRequest,
): Promise<"trained" | "stopped"> {
  const files = jobFiles(row.workdir);
  let runs = row.trainer_runs;
  for (;;) {
    if (await finished(files)) {
      await followProgress(deps, row.id, files.progress);
      const done = await readJsonFile<{ finalLoss: number; tokensPerSecond: number }>(files.done);
      await deps.update(row.id, {
        ...(done ? { loss: done.finalLoss, tokens_per_second: done.tokensPerSecond } : {}),
      });
      return "trained";
    }
    if (deps.isStopping()) return "stopped";
    if (runs >= deps.maxTrainerRuns)
      throw new TrainingJobError(
        "TRAINER_INTERRUPTED",
        `the trainer was interrupted ${runs} times without finishing`,
        "Check the node's machine (memory, processes killing python3); the job keeps its checkpoint: submit it again.",
      );
    runs += 1;
    if (!(await deps.update(row.id, { trainer_runs: runs }))) return "stopped";
    const exit = await runTrainer(deps, row.id, trainerArgs(deps, row, request), files.progress);
    const current = await deps.db
      .selectFrom("training_jobs")
      .select("state")
      .where("id", "=", row.id)
      .executeTakeFirst();
    if (current?.state === "cancelled" || deps.isStopping()) return "stopped";
    if (exit.code === 0 && !(await finished(files)))
      throw new TrainingJobError(
        "TRAINER_FAILED",
        "the trainer exited with code 0 without writing out.safetensors and done.json",
        "A replacement trainer must honour the workdir contract (trainer/README.md).",
      );
    if (exit.code === 0 || exit.code === 75 || exit.signal) continue;
    if (exit.code === 7 || exit.spawnError)
      throw new TrainingJobError(
        "TRAINER_UNAVAILABLE",
        exit.spawnError
          ? `the trainer could not start: ${exit.spawnError}`
          : "the trainer cannot import PyTorch",
        `Install Python and PyTorch: ${TRAINER_INSTALL_HINT} (or set TRIBUTARY_TRAINER).`,
      );
    const error = await readJsonFile<{ code: string; message: string; hint: string }>(files.error);
    throw new TrainingJobError(
      error?.code ?? "TRAINER_FAILED",
      error?.message ??
        `the trainer exited with code ${exit.code}: ${exit.stderr.trim().split("\n").pop() ?? ""}`,
      error?.hint ?? "Read the trainer's output above; fix the input or the settings and submit again.",
    );
  }
}

async function finished(files: ReturnType<typeof jobFiles>): Promise<boolean> {
  const [done, out] = await Promise.all([
    stat(files.done).catch(() => null),
    stat(files.out).catch(() => null),
  ]);
  return done !== null && out !== null;
}

type TrainerExit = {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  spawnError?: string;
};

function runTrainer(deps: StepDeps, id: string, args: string[], progressPath: string): Promise<TrainerExit> {
  const [bin, ...rest] = args as [string, ...string[]];
  return new Promise((resolve) => {
    let stderr = "";
    const child = spawn(bin, rest, { stdio: ["ignore", "ignore", "pipe"] });
    deps.children.set(id, child);
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-8192);
    });
    const timer = setInterval(() => void followProgress(deps, id, progressPath), deps.pollMs);
    const end = (exit: TrainerExit) => {
      clearInterval(timer);
      deps.children.delete(id);
      void followProgress(deps, id, progressPath).finally(() => resolve(exit));
    };
    child.once("error", (e) => end({ code: null, signal: null, stderr, spawnError: e.message }));
    child.once("exit", (code, signal) => end({ code, signal, stderr }));
  });
}

/** Copies the trainer's latest progress line into the job row. */
async function followProgress(deps: StepDeps, id: string, path: string): Promise<void> {
  const { first, last } = await readProgress(path);
  if (!last) return;
  const fields: Partial<TrainingJobRow> = {
    step: last.step,
    steps: last.steps,
    loss: finite(last.loss),
    tokens_per_second: finite(last.tokensPerSecond),
    ...(first ? { first_loss: finite((first as ProgressLine).loss) } : {}),
  };
  await deps.update(id, fields);
}

const finite = (n: unknown): number | null => (typeof n === "number" && Number.isFinite(n) ? n : null);

/** Step `converting`: out.safetensors → a GGUF adapter (lora) or a whole GGUF model (full), stored. */
export async function convertStep(
  deps: StepDeps,
  row: TrainingJobRow,
  request: TrainingJobRequest,
): Promise<void> {
  const files = jobFiles(row.workdir);
  const base = readGguf(new Uint8Array(await readFile(files.baseGguf)));
  const tensors = readSafetensors(new Uint8Array(await readFile(files.out)));
  const name = request.name ?? (request.method === "lora" ? "tributary-lora" : "tributary-model");
  const bytes =
    request.method === "lora"
      ? loraAdapterGguf({ base, tensors, alpha: request.alpha, name })
      : fullModelGguf({ base, tensors, name });
  await writeFileAtomic(files.artifact, bytes);
  const put = await deps.ctx.store.put(bytes);
  await deps.update(row.id, { artifact_cid: put.cid, artifact_sha256: put.sha256 });
}

/** Step `registering`: the model card, ModelRegistry registration (once) and its lineage (once). */
export async function registerStep(
  deps: StepDeps,
  row: TrainingJobRow,
  request: TrainingJobRequest,
): Promise<void> {
  const files = jobFiles(row.workdir);
  const exported = (await readJsonFile<ExportedVersion[]>(files.trainedOn)) ?? [];
  const done = await readJsonFile<Record<string, unknown>>(files.done);
  await registerTrainedModel(deps, row, request, exported, done ?? {});
  await serveTrainedModel(deps, row.id, request);
  // The trainer's working copies are large (F32 weights); keep the artifact, the exports and the logs, and the
  // base GGUF an adapter is served on.
  const keepBase = request.serve !== false && request.method === "lora";
  await Promise.all(
    [files.baseSafetensors, ...(keepBase ? [] : [files.baseGguf])].map((p) => rm(p, { force: true })),
  );
}

/** Next state after a step. */
export const NEXT_STATE: Partial<Record<TrainingJobState, TrainingJobState>> = {
  queued: "exporting",
  exporting: "tokenizing",
  tokenizing: "training",
  training: "converting",
  converting: "registering",
  registering: "done",
};
