import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { Command } from "commander";
import { type CommonOptions, parseId, withCommonOptions } from "../args.ts";
import { bold, CliError, dim, emit, green, progress, red, run, UsageError } from "../output.ts";

const context = async (opts: CommonOptions) => (await import("../config.ts")).createCliContext(opts);

/** A training job as the node shows it (GET /v1/training/jobs/:id). */
type JobJson = {
  id: string;
  state: string;
  method: string;
  name: string | null;
  base: { input: string; cid: string | null; sha256: string | null };
  trainedOn: { datanetId: string; version: number }[];
  progress: {
    step: number;
    steps: number;
    loss: number | null;
    firstLoss: number | null;
    tokensPerSecond: number | null;
    etaSeconds: number | null;
    tokens: number | null;
  };
  artifact: { cid: string; sha256: string } | null;
  configHash: string | null;
  modelId: string | null;
  lineageRecorded: boolean;
  error: { code: string; message: string; hint: string } | null;
  createdAt: string;
};

const FINAL = new Set(["done", "failed", "cancelled"]);

/** `1:2,3:1` → trained-on versions. */
function parseTrainedOn(text: string): { datanetId: string; version: number }[] {
  return text.split(",").map((pair) => {
    const [d, v, extra] = pair.split(":");
    if (d === undefined || v === undefined || extra !== undefined)
      throw new UsageError(
        `--trained-on takes datanet:version pairs, got "${pair}"`,
        "e.g. --trained-on 1:2,3:1",
      );
    return {
      datanetId: parseId("--trained-on datanet", d).toString(),
      version: Number(parseId("--trained-on version", v)),
    };
  });
}

/** An integer flag within bounds. */
function int(flag: string, v: string | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^[0-9]{1,9}$/.test(v) || Number(v) < min || Number(v) > max)
    throw new UsageError(`${flag} must be an integer from ${min} to ${max}, got "${v}"`);
  return Number(v);
}

function num(flag: string, v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > max)
    throw new UsageError(`${flag} must be a number in (0, ${max}], got "${v}"`);
  return n;
}

const clock = (s: number) => {
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, "0")}`;
};

/** One line of progress: state, step/steps, loss, tokens/s, ETA. */
export function progressLine(job: JobJson): string {
  const p = job.progress;
  if (job.state !== "training" && p.steps === 0) return `${job.id} ${job.state}`;
  const loss = p.loss === null ? "" : ` loss ${p.loss.toFixed(3)}`;
  const tps = p.tokensPerSecond === null ? "" : ` ${Math.round(p.tokensPerSecond)} tok/s`;
  const eta = p.etaSeconds === null ? "" : ` ETA ${clock(p.etaSeconds)}`;
  return `${job.id} ${job.state} step ${p.step}/${p.steps}${loss}${tps}${eta}`;
}

function describeJob(job: JobJson): string[] {
  const lines = [
    `${bold(job.id)} ${job.state} ${dim(`${job.method}${job.name ? ` ${job.name}` : ""}`)} on ${job.trainedOn.map((t) => `datanet ${t.datanetId} v${t.version}`).join(", ")}`,
    `  ${progressLine(job).slice(job.id.length + 1)}${job.progress.firstLoss !== null ? dim(` (first loss ${job.progress.firstLoss.toFixed(3)})`) : ""}`,
  ];
  if (job.base.sha256)
    lines.push(
      dim(
        `  base ${job.base.input === "tiny" ? "new tiny llama" : job.base.input} sha256 ${job.base.sha256}`,
      ),
    );
  if (job.artifact) lines.push(dim(`  artifact ${job.artifact.cid} sha256 ${job.artifact.sha256}`));
  if (job.modelId)
    lines.push(
      `  model ${bold(job.modelId)} registered on chain${job.lineageRecorded ? " with its lineage" : ""}`,
    );
  if (job.error && job.state !== "cancelled")
    lines.push(`  ${red(job.error.code)} ${job.error.message}`, dim(`  hint: ${job.error.hint}`));
  return lines;
}

/** Follows a job until it ends, printing its progress on stderr; fails when the job failed. */
async function follow(opts: CommonOptions, id: string): Promise<JobJson> {
  const cli = await context(opts);
  const tty = process.stderr.isTTY === true;
  let last = "";
  let printedAt = 0;
  for (;;) {
    const job = await cli.request<JobJson>("GET", `/v1/training/jobs/${id}`);
    const line = progressLine(job);
    if (!opts.json && line !== last) {
      if (tty) process.stderr.write(`\r\x1b[K${dim("…")} ${line}`);
      else if (Date.now() - printedAt > 5000 || FINAL.has(job.state)) {
        progress(`${dim("…")} ${line}`);
        printedAt = Date.now();
      }
      last = line;
    }
    if (FINAL.has(job.state)) {
      if (tty && !opts.json) process.stderr.write("\n");
      if (job.state !== "done")
        throw new CliError(
          `training job ${id} ${job.state}: ${job.error?.message ?? ""}`,
          job.error?.hint ?? "",
          job.error?.code ?? "TRAINING_FAILED",
        );
      return job;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function download(opts: CommonOptions, id: string, out: string): Promise<number> {
  const cli = await context(opts);
  const headers = new Headers();
  if (cli.config.operatorToken) headers.set("authorization", `Bearer ${cli.config.operatorToken}`);
  const res = await fetch(`${cli.nodeUrl()}/v1/training/jobs/${id}/artifact`, { headers });
  if (!res.ok)
    throw new CliError(
      `cannot download the artifact of ${id}: HTTP ${res.status}`,
      "Check the job with `tributary model jobs`.",
      "DOWNLOAD_FAILED",
    );
  const bytes = new Uint8Array(await res.arrayBuffer());
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, bytes);
  return bytes.length;
}

type TrainOptions = CommonOptions & {
  base: string;
  trainedOn: string;
  method: string;
  rank?: string;
  alpha?: string;
  epochs?: string;
  seq?: string;
  batch?: string;
  lr?: string;
  maxSteps?: string;
  seed?: string;
  name?: string;
  wait?: boolean;
  out?: string;
};

/** `tributary model train|train-base|tiny|jobs|cancel`: training jobs of the node (operator). */
export function registerTrainingCommands(model: Command): void {
  withCommonOptions(
    model
      .command("train")
      .description(
        "fine-tune a llama GGUF on published datanet versions (a background job of the node: LoRA adapter or full weights), then register it on chain with its lineage (operator; needs python3-torch on the node)",
      )
      .requiredOption(
        "--base <gguf>",
        "base model: a GGUF path on the node's machine, or its CID in the node's store",
      )
      .requiredOption("--trained-on <id:version,...>", "datanet versions to train on, e.g. 1:2,3:1")
      .option("--method <method>", "lora | full", "lora")
      .option("--rank <n>", "LoRA rank, 1..128 (default 8)")
      .option("--alpha <x>", "LoRA alpha (default 16)")
      .option("--epochs <n>", "passes over the documents, 1..100 (default 1)")
      .option("--seq <n>", "tokens per training sequence, 16..4096 (default 128)")
      .option("--batch <n>", "sequences per step, 1..64 (default 8)")
      .option("--lr <x>", "peak learning rate (default 1e-3 lora, 3e-3 full)")
      .option("--max-steps <n>", "stop after this many steps")
      .option("--seed <n>", "seed of the LoRA init and the data order (default 0)")
      .option("--name <name>", "name of the adapter or model")
      .option("--no-serve", "register on chain only; do not serve the trained model on this node")
      .option("--wait", "follow the job until it ends (step/steps, loss, tokens/s, ETA)")
      .option("--out <file>", "with --wait: also save the trained GGUF here"),
  ).action(
    run(async (opts: TrainOptions & { serve?: boolean }) => {
      if (opts.method !== "lora" && opts.method !== "full")
        throw new UsageError(`--method must be lora or full, got "${opts.method}"`);
      if (opts.out && !opts.wait)
        throw new UsageError("--out needs --wait (the file exists once the job is done)");
      const body = {
        base: opts.base,
        trainedOn: parseTrainedOn(opts.trainedOn),
        method: opts.method,
        ...(opts.serve === false ? { serve: false } : {}),
        ...optional({
          rank: int("--rank", opts.rank, 1, 128),
          alpha: num("--alpha", opts.alpha, 1024),
          epochs: int("--epochs", opts.epochs, 1, 100),
          seq: int("--seq", opts.seq, 16, 4096),
          batch: int("--batch", opts.batch, 1, 64),
          lr: num("--lr", opts.lr, 0.1),
          maxSteps: int("--max-steps", opts.maxSteps, 1, 100_000),
          seed: int("--seed", opts.seed, 0, 2_147_483_647),
          name: opts.name,
        }),
      };
      await submit(opts, body);
    }),
  );
  withCommonOptions(
    model
      .command("train-base")
      .description(
        "train the project's tiny llama from scratch (mode full, character vocabulary) on datanet versions as a node job, register it, and save it (operator)",
      )
      .requiredOption("--trained-on <id:version,...>", "datanet versions to train on, e.g. 1:1")
      .option("--out <file>", "where to save the GGUF", "tiny.gguf")
      .option("--steps <n>", "training steps (default 300: about 53 s on 2 idle cores)", "300")
      .option("--name <name>", "model name", "tributary-tiny"),
  ).action(
    run(async (opts: TrainOptions & { steps: string }) => {
      await submit(
        { ...opts, wait: true },
        {
          base: "tiny",
          method: "full",
          trainedOn: parseTrainedOn(opts.trainedOn),
          epochs: 100,
          maxSteps: int("--steps", opts.steps, 1, 100_000),
          lr: 0.003,
          name: opts.name,
        },
      );
    }),
  );
  withCommonOptions(
    model
      .command("tiny")
      .description(
        "train the tiny llama locally on Moby-Dick, without a node (needs /usr/bin/python3 with PyTorch): the base the tests and the demo fine-tune",
      )
      .option("--out <file>", "where to save the GGUF", "tiny.gguf")
      .option("--steps <n>", "training steps (default 300)", "300"),
  ).action(
    run(async (opts: CommonOptions & { out: string; steps: string }) => {
      const steps = int("--steps", opts.steps, 1, 100_000)!;
      const { checkTrainer, trainerCommand, trainTinyBase } = await import("@tributary/node");
      const { mobyDickDocuments } = await import("@tributary/node/testing");
      await checkTrainer(trainerCommand());
      const { mkdtempSync, rmSync } = await import("node:fs");
      const { tmpdir } = await import("node:os");
      const { join } = await import("node:path");
      const dir = mkdtempSync(join(tmpdir(), "tiny-"));
      try {
        const { gguf, done, losses } = await trainTinyBase({
          documents: mobyDickDocuments(400_000),
          workdir: dir,
          steps,
          onProgress: (p) => {
            if (!opts.json && (p.step % 25 === 0 || p.step === 1))
              progress(
                `${dim("…")} step ${p.step}/${p.steps} loss ${p.loss.toFixed(3)} ${Math.round(p.tokensPerSecond)} tok/s ETA ${clock(p.etaSeconds ?? 0)}`,
              );
          },
        });
        mkdirSync(dirname(resolve(opts.out)), { recursive: true });
        writeFileSync(opts.out, gguf);
        emit(opts.json, { out: opts.out, bytes: gguf.length, ...done, losses }, () => [
          `${green("✓")} tiny llama trained: ${done.steps} steps in ${done.seconds.toFixed(1)} s, loss ${done.firstLoss.toFixed(2)} → ${done.finalLoss.toFixed(2)}, ${Math.round(done.tokensPerSecond)} tokens/s`,
          `  saved ${bold(opts.out)} (${gguf.length} bytes)`,
        ]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
  );
  withCommonOptions(
    model
      .command("jobs")
      .description("training jobs of the node, newest first, or one job with its progress (operator)")
      .argument("[id]", "a job id (tj_…)")
      .option("--limit <n>", "how many jobs, 1..500", "20"),
  ).action(
    run(async (id: string | undefined, opts: CommonOptions & { limit: string }) => {
      const cli = await context(opts);
      if (id) {
        const job = await cli.request<JobJson>("GET", `/v1/training/jobs/${encodeURIComponent(id)}`);
        emit(opts.json, job, () => describeJob(job));
        return;
      }
      const limit = int("--limit", opts.limit, 1, 500);
      const { items } = await cli.request<{ items: JobJson[] }>("GET", `/v1/training/jobs?limit=${limit}`);
      emit(opts.json, { items }, () =>
        items.length === 0
          ? [
              "no training jobs yet",
              dim("start one: tributary model train --base <gguf> --trained-on 1:1 --wait"),
            ]
          : items.flatMap(describeJob),
      );
    }),
  );
  withCommonOptions(
    model
      .command("cancel")
      .description("cancel a queued or running training job: the trainer is stopped (operator)")
      .argument("<id>", "the job id (tj_…)"),
  ).action(
    run(async (id: string, opts: CommonOptions) => {
      const cli = await context(opts);
      const job = await cli.request<JobJson>(
        "POST",
        `/v1/training/jobs/${encodeURIComponent(id)}/cancel`,
        {},
      );
      emit(opts.json, job, () => [
        `${green("✓")} training job ${bold(job.id)} cancelled at step ${job.progress.step}/${job.progress.steps}`,
      ]);
    }),
  );
}

function optional<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

async function submit(opts: TrainOptions, body: Record<string, unknown>): Promise<void> {
  const cli = await context(opts);
  if (!opts.json)
    progress(
      `${dim("…")} submitting the training job (the node checks the trainer, the versions and the base)`,
    );
  const job = await cli.request<JobJson>("POST", "/v1/training/jobs", body);
  if (!opts.wait) {
    emit(opts.json, job, () => [
      `${green("✓")} training job ${bold(job.id)} queued`,
      dim(`follow it: tributary model jobs ${job.id}   cancel it: tributary model cancel ${job.id}`),
    ]);
    return;
  }
  const done = await follow(opts, job.id);
  const bytes = opts.out ? await download(opts, job.id, opts.out) : undefined;
  // The node serves a trained model at once unless told not to: name it, and how to call it.
  const models = await cli
    .request<{ data: { id: string; tributary?: { modelId?: string } }[] }>("GET", "/v1/models")
    .catch(() => ({ data: [] }));
  const servedAs = models.data.find((m) => done.modelId && m.tributary?.modelId === done.modelId)?.id ?? null;
  emit(opts.json, { ...done, servedAs, ...(opts.out ? { out: opts.out, bytes } : {}) }, () => [
    `${green("✓")} training job ${bold(done.id)} done: loss ${done.progress.firstLoss?.toFixed(3)} → ${done.progress.loss?.toFixed(3)}, model ${bold(done.modelId ?? "?")} registered with its lineage`,
    ...(opts.out ? [`  saved ${bold(opts.out)} (${bytes} bytes)`] : []),
    dim(`  artifact sha256 ${done.artifact?.sha256}, config hash ${done.configHash}`),
    ...(servedAs
      ? [`  served by this node as ${bold(servedAs)}: tributary infer --model ${servedAs} "Call me"`]
      : []),
  ]);
}
