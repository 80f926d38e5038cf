import { spawn } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createTinyLlama,
  fullModelGguf,
  ggufToTrainingFiles,
  loraAdapterGguf,
  readGguf,
  readSafetensors,
  tinyVocab,
} from "@tributary/gguf";
import { jobFiles, type ProgressLine, readJsonFile } from "./jobFiles.ts";
import { TINY_DEFAULTS } from "./schemas.ts";
import { TrainingJobError } from "./TrainingJobError.ts";
import { tokenizeDocuments } from "./tokenizeDocuments.ts";
import { trainerCommand } from "./trainerCommand.ts";

/** What the trainer reports at the end (done.json). */
export type TrainerDone = {
  steps: number;
  finalLoss: number;
  firstLoss: number;
  tokensPerSecond: number;
  seconds: number;
  tokens: number;
};

/** Parameters of {@link runTrainerInWorkdir}. */
export type RunTrainerParameters = {
  workdir: string;
  /** Trainer flags after `--workdir W` (e.g. `["--mode", "full", "--max-steps", "300"]`). */
  args: readonly string[];
  trainer?: readonly string[];
  onProgress?: (line: ProgressLine) => void;
};

/**
 * Runs the trainer on a prepared workdir to the end (outside any job: scripts and benchmarks), calling
 * `onProgress` for every progress line; resolves with done.json and every step's loss.
 */
export async function runTrainerInWorkdir(
  params: RunTrainerParameters,
): Promise<{ done: TrainerDone; losses: number[] }> {
  const [bin, ...rest] = trainerCommand(params.trainer) as [string, ...string[]];
  const losses: number[] = [];
  let stderr = "";
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(bin, [...rest, "--workdir", params.workdir, ...params.args], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr = (stderr + d).slice(-8192);
    });
    let seen = 0;
    const poll = async () => {
      const text = await readFile(jobFiles(params.workdir).progress, "utf8").catch(() => "");
      const lines = text.split("\n");
      lines.pop();
      for (const l of lines.slice(seen)) {
        const p = JSON.parse(l) as ProgressLine;
        losses.push(p.loss);
        params.onProgress?.(p);
      }
      seen = lines.length;
    };
    const timer = setInterval(() => void poll(), 250);
    child.once("error", (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.once("exit", (c) => {
      clearInterval(timer);
      void poll().then(() => resolve(c));
    });
  });
  const done = await readJsonFile<TrainerDone>(jobFiles(params.workdir).done);
  if (code !== 0 || !done)
    throw new TrainingJobError(
      "TRAINER_FAILED",
      `the trainer exited with code ${code}: ${stderr.trim().split("\n").slice(-2).join(" ")}`,
      "Read the trainer's message; trainer/README.md lists its exit codes.",
    );
  return { done, losses };
}

/** Parameters of {@link trainTinyBase}. */
export type TrainTinyBaseParameters = {
  documents: readonly string[];
  /** Scratch folder (created). */
  workdir: string;
  steps?: number;
  seq?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  threads?: number;
  hparams?: Partial<typeof TINY_DEFAULTS>;
  trainer?: readonly string[];
  onProgress?: (line: ProgressLine) => void;
};

/**
 * Builds the project's tiny llama (character vocabulary of the documents, random weights) and pretrains it with
 * the trainer in mode full: the base the tests and the demo fine-tune, since no pretrained weights can be
 * downloaded here. With the defaults (128 wide, 4 layers, 300 steps of 8×128 tokens) it takes about 53 s on 2 idle cores.
 *
 * @example
 * const { gguf, done } = await trainTinyBase({ documents, workdir: "/tmp/tiny" });
 */
export async function trainTinyBase(
  params: TrainTinyBaseParameters,
): Promise<{ gguf: Uint8Array; done: TrainerDone; losses: number[] }> {
  const h = { ...TINY_DEFAULTS, ...params.hparams };
  await mkdir(params.workdir, { recursive: true });
  const base = createTinyLlama({
    hparams: { ...h, ropeFreqBase: 10000, rmsEps: 1e-5 },
    vocab: tinyVocab(params.documents.join("\n")),
    seed: (params.seed ?? 0) + 1,
    name: "tributary-tiny",
  });
  const files = jobFiles(params.workdir);
  await writeFile(files.baseGguf, base);
  const training = ggufToTrainingFiles(base);
  await writeFile(files.baseSafetensors, training["base.safetensors"]);
  await writeFile(files.config, training["config.json"]);
  await writeFile(files.tokens, (await tokenizeDocuments(files.baseGguf, params.documents)).bytes);
  const { done, losses } = await runTrainerInWorkdir({
    workdir: params.workdir,
    args: [
      "--mode",
      "full",
      "--epochs",
      "1000",
      "--max-steps",
      String(params.steps ?? 300),
      "--seq",
      String(params.seq ?? 128),
      "--batch",
      String(params.batch ?? 8),
      "--lr",
      String(params.lr ?? 0.003),
      "--seed",
      String(params.seed ?? 0),
      "--threads",
      String(params.threads ?? 2),
    ],
    ...(params.trainer ? { trainer: params.trainer } : {}),
    ...(params.onProgress ? { onProgress: params.onProgress } : {}),
  });
  const gguf = fullModelGguf({
    base: readGguf(base),
    tensors: readSafetensors(new Uint8Array(await readFile(files.out))),
    name: "tributary-tiny",
  });
  return { gguf, done, losses };
}

/** Parameters of {@link trainLoraOn}. */
export type TrainLoraOnParameters = {
  base: Uint8Array;
  documents: readonly string[];
  workdir: string;
  rank?: number;
  steps?: number;
  seq?: number;
  batch?: number;
  threads?: number;
  trainer?: readonly string[];
};

/**
 * A LoRA adapter trained on `documents` over `base` (outside any job): the measurement behind the "training
 * tokens/s" figure of bench/training.ts.
 */
export async function trainLoraOn(
  params: TrainLoraOnParameters,
): Promise<{ adapter: Uint8Array; done: TrainerDone; losses: number[] }> {
  await mkdir(params.workdir, { recursive: true });
  const files = jobFiles(params.workdir);
  await writeFile(files.baseGguf, params.base);
  const training = ggufToTrainingFiles(params.base);
  await writeFile(files.baseSafetensors, training["base.safetensors"]);
  await writeFile(files.config, training["config.json"]);
  await writeFile(files.tokens, (await tokenizeDocuments(files.baseGguf, params.documents)).bytes);
  const rank = params.rank ?? 8;
  const { done, losses } = await runTrainerInWorkdir({
    workdir: params.workdir,
    args: [
      "--mode",
      "lora",
      "--rank",
      String(rank),
      "--epochs",
      "1000",
      "--max-steps",
      String(params.steps ?? 100),
      "--seq",
      String(params.seq ?? 128),
      "--batch",
      String(params.batch ?? 8),
      "--threads",
      String(params.threads ?? 2),
    ],
    ...(params.trainer ? { trainer: params.trainer } : {}),
  });
  const adapter = loraAdapterGguf({
    base: readGguf(params.base),
    tensors: readSafetensors(new Uint8Array(await readFile(join(params.workdir, "out.safetensors")))),
    alpha: 16,
  });
  return { adapter, done, losses };
}
