/**
 * Training benchmark: the tiny base pretrained from scratch (mode full, 300 steps of 8×128 tokens, 2 threads)
 * with its loss curve, then a rank-8 LoRA on it: seconds and training tokens/s of the reference trainer
 * (trainer/train.py, PyTorch on the CPU).
 *
 *   npm run bench:training [-- --base-steps 300 --lora-steps 60]
 *
 * Prints the figures and writes bench/results/training.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { measureTrainingThroughput } from "./lib/trainingThroughput.ts";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const round = (x: number) => Math.round(x * 100) / 100;
const loadStart = loadavg();
const m = await measureTrainingThroughput({
  baseSteps: arg("base-steps", 300),
  loraSteps: arg("lora-steps", 60),
});
const result = {
  tinyBaseSeconds: round(m.tinyBase.seconds),
  tinyBaseTokensPerSecond: Math.round(m.tinyBase.tokensPerSecond),
  tinyBaseFirstLoss: round(m.tinyBase.firstLoss),
  tinyBaseFinalLoss: round(m.tinyBase.finalLoss),
  loraTokensPerSecond: Math.round(m.lora.tokensPerSecond),
  loraSeconds: round(m.lora.seconds),
  details: {
    command: "npm run bench:training",
    at: new Date().toISOString(),
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    node: process.version,
    loadAverage: { start: loadStart.map(round), end: loadavg().map(round) },
    tinyBase: {
      model: "llama, n_embd 128, 4 layers, 4 heads / 2 KV heads, n_ff 344, character vocabulary",
      steps: m.tinyBase.steps,
      tokens: m.tinyBase.tokens,
      lossCurve: m.tinyBase.lossCurve,
    },
    lora: {
      rank: m.lora.rank,
      steps: m.lora.steps,
      firstLoss: round(m.lora.firstLoss),
      finalLoss: round(m.lora.finalLoss),
    },
    threads: 2,
  },
};
console.log(JSON.stringify(result, null, 2));
const dir = join(import.meta.dirname, "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, "training.json"), `${JSON.stringify(result, null, 2)}\n`);
