import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mobyDickDocuments } from "../../apps/node/src/training/testing/corpus.ts";
import { type TrainerDone, trainLoraOn, trainTinyBase } from "../../apps/node/src/training/trainTinyBase.ts";

/** What {@link measureTrainingThroughput} measures. */
export type TrainingThroughput = {
  /** The tiny base pretrained from scratch (mode full): seconds, tokens/s, the loss every `every` steps. */
  tinyBase: TrainerDone & { lossCurve: { step: number; loss: number }[] };
  /** A rank-`rank` LoRA on that base: tokens/s is the "training tokens/s" figure. */
  lora: TrainerDone & { rank: number };
};

/**
 * Trains the tiny base (defaults of `trainTinyBase`: 128 wide, 4 layers, 300 steps of 8×128 tokens) on
 * Moby-Dick, then a LoRA adapter on it, with the reference trainer and 2 threads. Needs /usr/bin/python3 with
 * PyTorch. Used by bench/training.ts (and bench/models.ts for its "training tokens/s").
 *
 * @example
 * const { lora } = await measureTrainingThroughput({ baseSteps: 300, loraSteps: 60 });
 */
export async function measureTrainingThroughput(
  options: { baseSteps?: number; loraSteps?: number; rank?: number; every?: number; chars?: number } = {},
): Promise<TrainingThroughput> {
  const dir = mkdtempSync(join(tmpdir(), "bench-training-"));
  try {
    const documents = mobyDickDocuments(options.chars ?? 400_000);
    const every = options.every ?? 25;
    const base = await trainTinyBase({
      documents,
      workdir: join(dir, "base"),
      steps: options.baseSteps ?? 300,
    });
    const lossCurve = base.losses
      .map((loss, i) => ({ step: i + 1, loss: Math.round(loss * 1000) / 1000 }))
      .filter((p) => p.step === 1 || p.step % every === 0);
    const rank = options.rank ?? 8;
    const lora = await trainLoraOn({
      base: base.gguf,
      documents,
      workdir: join(dir, "lora"),
      rank,
      steps: options.loraSteps ?? 60,
    });
    return { tinyBase: { ...base.done, lossCurve }, lora: { ...lora.done, rank } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
