import { GgufError } from "./errors.ts";
import type { GgufFile, GgufValue, LlamaHparams } from "./types.ts";

/** The per-block matrices of a llama model, by their GGUF names' suffix. */
export const LLAMA_BLOCK_MATRICES = [
  "attn_q",
  "attn_k",
  "attn_v",
  "attn_output",
  "ffn_gate",
  "ffn_up",
  "ffn_down",
] as const;

/** Torch-layout shape ([out, in] for a matrix) of every tensor of a llama model, in file order. */
export function llamaTensorShapes(h: LlamaHparams, tiedOutput = false): [string, number[]][] {
  const kv = (h.nEmbd / h.nHead) * h.nHeadKv;
  const shapes: [string, number[]][] = [["token_embd.weight", [h.nVocab, h.nEmbd]]];
  for (let i = 0; i < h.nLayer; i++) {
    shapes.push(
      [`blk.${i}.attn_norm.weight`, [h.nEmbd]],
      [`blk.${i}.attn_q.weight`, [h.nEmbd, h.nEmbd]],
      [`blk.${i}.attn_k.weight`, [kv, h.nEmbd]],
      [`blk.${i}.attn_v.weight`, [kv, h.nEmbd]],
      [`blk.${i}.attn_output.weight`, [h.nEmbd, h.nEmbd]],
      [`blk.${i}.ffn_norm.weight`, [h.nEmbd]],
      [`blk.${i}.ffn_gate.weight`, [h.nFf, h.nEmbd]],
      [`blk.${i}.ffn_up.weight`, [h.nFf, h.nEmbd]],
      [`blk.${i}.ffn_down.weight`, [h.nEmbd, h.nFf]],
    );
  }
  shapes.push(["output_norm.weight", [h.nEmbd]]);
  if (!tiedOutput) shapes.push(["output.weight", [h.nVocab, h.nEmbd]]);
  return shapes;
}

/** The `llama.*` metadata of a model with these numbers. */
export function llamaMetadata(h: LlamaHparams): [string, GgufValue][] {
  return [
    ["llama.context_length", { type: "u32", value: h.nCtxTrain }],
    ["llama.embedding_length", { type: "u32", value: h.nEmbd }],
    ["llama.block_count", { type: "u32", value: h.nLayer }],
    ["llama.feed_forward_length", { type: "u32", value: h.nFf }],
    ["llama.rope.dimension_count", { type: "u32", value: h.nEmbd / h.nHead }],
    ["llama.attention.head_count", { type: "u32", value: h.nHead }],
    ["llama.attention.head_count_kv", { type: "u32", value: h.nHeadKv }],
    ["llama.attention.layer_norm_rms_epsilon", { type: "f32", value: h.rmsEps }],
    ["llama.rope.freq_base", { type: "f32", value: h.ropeFreqBase }],
    ["llama.vocab_size", { type: "u32", value: h.nVocab }],
  ];
}

/**
 * A llama-architecture GGUF's numbers, checked: the architecture is `llama` and every number is present.
 * Other architectures (qwen2, phi3, …) are refused with what to do, since the trainer mirrors llama only.
 */
export function llamaHparams(file: GgufFile): LlamaHparams {
  const arch = file.metadata.get("general.architecture");
  if (arch?.type !== "string" || arch.value !== "llama")
    throw new GgufError(
      "NOT_LLAMA",
      `the model's architecture is ${arch?.type === "string" ? arch.value : "not set"}, not llama`,
      "Train on a llama-architecture GGUF (Llama, TinyLlama, SmolLM, Mistral-style without sliding window); other architectures can be served but not trained here.",
    );
  const num = (key: string, fallback?: number): number => {
    const v = file.metadata.get(`llama.${key}`);
    if (v && (v.type === "u32" || v.type === "i32" || v.type === "f32" || v.type === "u64"))
      return Number(v.value);
    if (fallback !== undefined) return fallback;
    throw new GgufError(
      "NOT_LLAMA",
      `the model has no llama.${key}`,
      "The GGUF is incomplete; convert it again with llama.cpp's convert_hf_to_gguf.py.",
    );
  };
  const tokens = file.metadata.get("tokenizer.ggml.tokens");
  const nHead = num("attention.head_count");
  return {
    nVocab: num("vocab_size", tokens?.type === "array" ? tokens.value.length : undefined),
    nEmbd: num("embedding_length"),
    nLayer: num("block_count"),
    nHead,
    nHeadKv: num("attention.head_count_kv", nHead),
    nFf: num("feed_forward_length"),
    nCtxTrain: num("context_length"),
    ropeFreqBase: num("rope.freq_base", 10000),
    rmsEps: num("attention.layer_norm_rms_epsilon", 1e-5),
  };
}

/** The trainer's `config.json` for these numbers (gguf-contract: snake_case keys). */
export function trainerConfig(h: LlamaHparams): Record<string, string | number> {
  return {
    arch: "llama",
    n_vocab: h.nVocab,
    n_embd: h.nEmbd,
    n_layer: h.nLayer,
    n_head: h.nHead,
    n_head_kv: h.nHeadKv,
    n_ff: h.nFf,
    n_ctx_train: h.nCtxTrain,
    rope_freq_base: h.ropeFreqBase,
    rms_eps: h.rmsEps,
  };
}
