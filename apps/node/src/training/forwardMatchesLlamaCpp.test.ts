import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  createTinyLlama,
  fullModelGguf,
  ggufToTrainingFiles,
  readGguf,
  readSafetensors,
  tinyVocab,
} from "@tributary/gguf";
import { afterAll, describe, expect, it } from "vitest";
import { mobyDickDocuments } from "./testing/corpus.ts";
import { cpuLlama, tokenizeDocuments } from "./tokenizeDocuments.ts";
import { DEFAULT_TRAINER_SCRIPT } from "./trainerCommand.ts";

const GREEDY = join(dirname(DEFAULT_TRAINER_SCRIPT), "greedy.py");

const HPARAMS = {
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  nFf: 172,
  nCtxTrain: 128,
  ropeFreqBase: 10000,
  rmsEps: 1e-5,
};
const TEXTS = ["Call me Ishmael", "The whale", "It was", " and the sea", "Queequeg"];
const N = 12;

/** Greedy continuations of TEXTS under node-llama-cpp and under the trainer's Python forward (greedy.py). */
async function continuations(
  dir: string,
  gguf: Uint8Array,
): Promise<{ python: number[][]; llamaCpp: number[][] }> {
  writeTrainingDir(dir, gguf);
  writeFileSync(join(dir, "model.gguf"), gguf);
  const model = await (await cpuLlama()).loadModel({ modelPath: join(dir, "model.gguf") });
  const prompts = TEXTS.map((t) => [model.tokens.bos!, ...model.tokenize(t)] as number[]);
  const llamaCpp: number[][] = [];
  for (const prompt of prompts) {
    const ctx = await model.createContext({ contextSize: 128, threads: 2 });
    const out: number[] = [];
    for await (const token of ctx.getSequence().evaluate(prompt as never, { temperature: 0 })) {
      out.push(token as number);
      if (out.length === N) break;
    }
    await ctx.dispose();
    llamaCpp.push(out);
  }
  await model.dispose();
  writeFileSync(join(dir, "prompts.json"), JSON.stringify(prompts));
  const py = spawnSync(
    "/usr/bin/python3",
    [GREEDY, "--workdir", dir, "--prompts", join(dir, "prompts.json"), "--tokens", String(N)],
    { encoding: "utf8", timeout: 120_000 },
  );
  if (py.status !== 0) throw new Error(`greedy.py failed: ${py.stderr}`);
  return { python: (JSON.parse(py.stdout) as { continuations: number[][] }).continuations, llamaCpp };
}

const writeTrainingDir = (dir: string, gguf: Uint8Array) => {
  mkdirSync(dir, { recursive: true });
  const files = ggufToTrainingFiles(gguf);
  writeFileSync(join(dir, "base.safetensors"), files["base.safetensors"]);
  writeFileSync(join(dir, "config.json"), files["config.json"]);
};

/**
 * The trainer's forward pass is llama.cpp's: a tiny llama (GQA, 2 layers) trained for a few steps by the
 * trainer, written as GGUF, continues prompts greedily to the same tokens under the Python forward and under
 * node-llama-cpp. A wrong RoPE pairing, norm, GQA mapping or layout would change the continuations.
 */
describe("the trainer's forward pass matches llama.cpp", () => {
  const dir = mkdtempSync(join(tmpdir(), "forward-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("greedy continuations are identical", async () => {
    const docs = mobyDickDocuments(8_000);
    const base = createTinyLlama({
      hparams: {
        nEmbd: 64,
        nLayer: 2,
        nHead: 4,
        nHeadKv: 2,
        nFf: 172,
        nCtxTrain: 128,
        ropeFreqBase: 10000,
        rmsEps: 1e-5,
      },
      vocab: tinyVocab(docs.join("\n")),
      seed: 3,
    });
    const train = join(dir, "train");
    writeTrainingDir(train, base);
    writeFileSync(join(dir, "base.gguf"), base);
    const tokens = await tokenizeDocuments(join(dir, "base.gguf"), docs);
    writeFileSync(join(train, "tokens.bin"), tokens.bytes);
    const run = spawnSync(
      "/usr/bin/python3",
      [
        DEFAULT_TRAINER_SCRIPT,
        "--workdir",
        train,
        "--mode",
        "full",
        "--seq",
        "64",
        "--epochs",
        "50",
        "--max-steps",
        "40",
        "--lr",
        "0.005",
        "--threads",
        "2",
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const trained = fullModelGguf({
      base: readGguf(base),
      tensors: readSafetensors(new Uint8Array(readFileSync(join(train, "out.safetensors")))),
    });
    // A random model with large weights (sharp, varied logits: every layer matters) and the trained one.
    const random = createTinyLlama({
      hparams: HPARAMS,
      vocab: tinyVocab(docs.join("\n")),
      seed: 9,
      std: 0.3,
    });
    for (const [name, gguf] of [
      ["random", random],
      ["trained", trained],
    ] as const) {
      const { python, llamaCpp } = await continuations(join(dir, name), gguf);
      if (name === "random") expect(new Set(python.flat()).size).toBeGreaterThan(5);
      expect(python, name).toEqual(llamaCpp);
    }
  }, 180_000);
});
