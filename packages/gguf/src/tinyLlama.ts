import { llamaMetadata, llamaTensorShapes } from "./llama.ts";
import type { GgufTensorInput, GgufValue, LlamaHparams } from "./types.ts";
import { writeGguf } from "./writeGguf.ts";

/** A SentencePiece ("llama") vocabulary: pieces, scores and token types (1 normal, 2 unknown, 3 control, 6 byte). */
export type TinyVocab = { tokens: string[]; scores: number[]; types: number[] };

/** Characters every tiny vocabulary has: SentencePiece's space mark and printable ASCII. */
const BASE_CHARS = ["▁", ...Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i))];

/**
 * A character-level SentencePiece vocabulary: `<unk>`, `<s>`, `</s>`, the 256 byte-fallback pieces, `▁` and
 * printable ASCII, then the corpus's other characters by frequency (up to `maxExtra`). llama.cpp tokenizes
 * any text with it: a character not in the list falls back to its UTF-8 bytes.
 *
 * @example
 * const vocab = tinyVocab("Call me Ishmael."); // 354 pieces
 */
export function tinyVocab(corpusText = "", maxExtra = 64): TinyVocab {
  const tokens = ["<unk>", "<s>", "</s>"];
  const types = [2, 3, 3];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`);
    types.push(6);
  }
  const counts = new Map<string, number>();
  for (const ch of corpusText) {
    if (ch.codePointAt(0)! < 32 || ch === " " || BASE_CHARS.includes(ch)) continue;
    counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  const extra = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, maxExtra)
    .map(([ch]) => ch);
  for (const ch of [...BASE_CHARS, ...extra]) {
    tokens.push(ch);
    types.push(1);
  }
  return { tokens, scores: tokens.map((_, i) => (types[i] === 1 ? -i : 0)), types };
}

/** The `tokenizer.ggml.*` metadata of a SentencePiece vocabulary. */
export function vocabMetadata(vocab: TinyVocab): [string, GgufValue][] {
  return [
    ["tokenizer.ggml.model", { type: "string", value: "llama" }],
    ["tokenizer.ggml.tokens", { type: "array", itemType: "string", value: vocab.tokens }],
    ["tokenizer.ggml.scores", { type: "array", itemType: "f32", value: vocab.scores }],
    ["tokenizer.ggml.token_type", { type: "array", itemType: "i32", value: vocab.types }],
    ["tokenizer.ggml.unknown_token_id", { type: "u32", value: 0 }],
    ["tokenizer.ggml.bos_token_id", { type: "u32", value: 1 }],
    ["tokenizer.ggml.eos_token_id", { type: "u32", value: 2 }],
    ["tokenizer.ggml.add_bos_token", { type: "bool", value: true }],
    ["tokenizer.ggml.add_eos_token", { type: "bool", value: false }],
  ];
}

/** A seeded normal generator (xorshift32 + Box–Muller): the same seed gives the same weights everywhere. */
export function createNormalRandom(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  const uniform = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** Options of {@link createTinyLlama}. */
export type CreateTinyLlamaParameters = {
  /** Model numbers; `nVocab` is taken from the vocabulary. */
  hparams: Omit<LlamaHparams, "nVocab">;
  vocab: TinyVocab;
  seed: number;
  /** Standard deviation of the random matrices (norms are 1). Default 0.02. */
  std?: number;
  name?: string;
};

/**
 * A llama-architecture GGUF with random weights and a character-level vocabulary: the starting point the
 * trainer pretrains (mode `full`), and a stand-in of the same size for serving benchmarks.
 *
 * @example
 * const gguf = createTinyLlama({ hparams: { nEmbd: 64, nLayer: 2, nHead: 4, nHeadKv: 4, nFf: 172, nCtxTrain: 256, ropeFreqBase: 10000, rmsEps: 1e-5 }, vocab: tinyVocab(text), seed: 1 });
 */
export function createTinyLlama(params: CreateTinyLlamaParameters): Uint8Array {
  const h: LlamaHparams = { ...params.hparams, nVocab: params.vocab.tokens.length };
  const normal = createNormalRandom(params.seed);
  const std = params.std ?? 0.02;
  const tensors: GgufTensorInput[] = llamaTensorShapes(h).map(([name, shape]) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (shape.length === 1) data.fill(1);
    else for (let i = 0; i < data.length; i++) data[i] = normal() * std;
    return { name, dims: [...shape].reverse(), type: "F32", data };
  });
  return writeGguf({
    metadata: [
      ["general.architecture", { type: "string", value: "llama" }],
      ["general.name", { type: "string", value: params.name ?? "tributary-tiny" }],
      ["general.file_type", { type: "u32", value: 0 }],
      ...llamaMetadata(h),
      ...vocabMetadata(params.vocab),
    ],
    tensors,
  });
}
