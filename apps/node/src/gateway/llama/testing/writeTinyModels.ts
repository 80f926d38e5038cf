import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createNormalRandom,
  createTinyLlama,
  LLAMA_BLOCK_MATRICES,
  type LlamaHparams,
  loraAdapterGguf,
  readGguf,
  tinyVocab,
} from "@tributary/gguf";

/** The tiny base's numbers (the train helper's default size): 2 layers of 64, GQA 4/2, 256 tokens of context. */
export const TINY_LLAMA_HPARAMS: Omit<LlamaHparams, "nVocab"> = {
  nEmbd: 64,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  nFf: 172,
  nCtxTrain: 256,
  ropeFreqBase: 10000,
  rmsEps: 1e-5,
};

/** Options of {@link writeTinyModels}. */
export type WriteTinyModelsParameters = {
  /** How many LoRA adapters to write (each with its own random, non-zero factors). */
  adapters: number;
  seed?: number;
  hparams?: Omit<LlamaHparams, "nVocab">;
  /** Text whose characters the vocabulary covers (beyond printable ASCII). */
  corpus?: string;
  rank?: number;
};

/**
 * Writes a random-weight tiny llama base GGUF and `adapters` random LoRA adapters on it (attention matrices of
 * every block, non-zero `lora_b`, so each adapter changes the output) into `dir`: the stand-ins of a trained base
 * and trained adapters of the same size, for tests and the serving benchmark.
 *
 * @example
 * const { base, adapters } = writeTinyModels(dir, { adapters: 2 });
 */
export function writeTinyModels(
  dir: string,
  params: WriteTinyModelsParameters,
): { base: string; adapters: string[]; baseBytes: Uint8Array } {
  const seed = params.seed ?? 1;
  const hparams = params.hparams ?? TINY_LLAMA_HPARAMS;
  const rank = params.rank ?? 8;
  const baseBytes = createTinyLlama({ hparams, vocab: tinyVocab(params.corpus ?? ""), seed, std: 0.5 });
  const base = join(dir, "base.gguf");
  writeFileSync(base, baseBytes);
  const file = readGguf(baseBytes);
  const attention = LLAMA_BLOCK_MATRICES.filter((m) => m.startsWith("attn_"));
  const adapters: string[] = [];
  for (let k = 0; k < params.adapters; k++) {
    const normal = createNormalRandom(seed * 1000 + k + 1);
    const tensors = Array.from({ length: hparams.nLayer }, (_, i) => i).flatMap((i) =>
      attention
        .map((m) => `blk.${i}.${m}.weight`)
        .flatMap((name) => {
          const [inDim, outDim] = (file.tensors.find((t) => t.name === name)?.dims ?? []).map(Number);
          if (!inDim || !outDim) throw new Error(`the tiny base has no ${name}`);
          const a = {
            name: `${name}.lora_a`,
            shape: [rank, inDim],
            dtype: "F32" as const,
            data: new Float32Array(rank * inDim),
          };
          const b = {
            name: `${name}.lora_b`,
            shape: [outDim, rank],
            dtype: "F32" as const,
            data: new Float32Array(outDim * rank),
          };
          for (const t of [a, b]) for (let j = 0; j < t.data.length; j++) t.data[j] = normal() * 0.5;
          return [a, b];
        }),
    );
    const path = join(dir, `adapter-${k}.gguf`);
    writeFileSync(path, loraAdapterGguf({ base: file, tensors, alpha: rank }));
    adapters.push(path);
  }
  return { base, adapters, baseBytes };
}
