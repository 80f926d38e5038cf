import { createHash } from "node:crypto";
import type { Llama } from "node-llama-cpp";

let llama: Promise<Llama> | undefined;

/** The process's llama.cpp binding (CPU, prebuilt binary, never built or downloaded), loaded once. */
export function cpuLlama(): Promise<Llama> {
  // Loaded on first use: a node that never trains never loads llama.cpp.
  llama ??= import("node-llama-cpp").then(({ getLlama, LlamaLogLevel }) =>
    getLlama({ gpu: false, build: "never", maxThreads: 2, logLevel: LlamaLogLevel.error }),
  );
  return llama;
}

/** Return type of {@link tokenizeDocuments}. */
export type TokenizedDocuments = {
  /** `BOS, tokens…, EOS` per document, uint32 little-endian: the trainer's `tokens.bin`. */
  bytes: Uint8Array;
  tokens: number;
  /** sha-256 of `bytes`, 0x-hex. */
  sha256: string;
};

/**
 * Tokenizes documents with the base model's own tokenizer (node-llama-cpp, vocabulary only: no weights are
 * loaded), each as `BOS, tokens…, EOS` (BOS/EOS left out when the model has none).
 *
 * @example
 * const { bytes } = await tokenizeDocuments("/data/base.gguf", ["Call me Ishmael."]);
 */
export async function tokenizeDocuments(
  modelPath: string,
  documents: readonly string[],
): Promise<TokenizedDocuments> {
  const model = await (await cpuLlama()).loadModel({ modelPath, vocabOnly: true });
  try {
    const bos = model.tokens.bos;
    const eos = model.tokens.eos;
    const parts: number[][] = [];
    let total = 0;
    for (const text of documents) {
      const ids = [...(bos === null ? [] : [bos]), ...model.tokenize(text), ...(eos === null ? [] : [eos])];
      parts.push(ids as number[]);
      total += ids.length;
    }
    const out = new Uint32Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    const bytes = new Uint8Array(out.buffer);
    return {
      bytes,
      tokens: total,
      sha256: `0x${createHash("sha256").update(bytes).digest("hex")}`,
    };
  } finally {
    await model.dispose();
  }
}
