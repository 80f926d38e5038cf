import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getLlama, LlamaCompletion } from "node-llama-cpp";
import { afterAll, describe, expect, it } from "vitest";
import { createNormalRandom, createTinyLlama, loraAdapterGguf, readGguf, tinyVocab } from "./index.ts";

/** llama.cpp itself (node-llama-cpp's prebuilt CPU binary) is the judge of the files this package writes. */
describe("llama.cpp loads what the package writes", () => {
  const dir = mkdtempSync(join(tmpdir(), "gguf-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const hp = {
    nEmbd: 64,
    nLayer: 2,
    nHead: 4,
    nHeadKv: 2,
    nFf: 96,
    nCtxTrain: 256,
    ropeFreqBase: 10000,
    rmsEps: 1e-5,
  };

  it("a tiny llama tokenizes like SentencePiece, and an adapter changes its output", async () => {
    const text = "Call me Ishmael — “whale”.";
    const base = createTinyLlama({ hparams: hp, vocab: tinyVocab(text), seed: 1, std: 0.5 });
    const rnd = createNormalRandom(5);
    const file = readGguf(base);
    const tensors = ["attn_q", "attn_v"].flatMap((m) => {
      const [inD, outD] = file.tensors.find((t) => t.name === `blk.0.${m}.weight`)!.dims.map(Number);
      const a = { name: `blk.0.${m}.weight.lora_a`, shape: [4, inD!], data: new Float32Array(4 * inD!) };
      const b = { name: `blk.0.${m}.weight.lora_b`, shape: [outD!, 4], data: new Float32Array(4 * outD!) };
      for (const t of [a, b]) for (let i = 0; i < t.data.length; i++) t.data[i] = rnd();
      return [a, b];
    });
    writeFileSync(join(dir, "base.gguf"), base);
    writeFileSync(join(dir, "lora.gguf"), loraAdapterGguf({ base: file, tensors, alpha: 4 }));

    const llama = await getLlama({ gpu: false, build: "never", logLevel: "error" as never });
    const model = await llama.loadModel({ modelPath: join(dir, "base.gguf") });
    const tokens = model.tokenize(text);
    expect(model.detokenize(tokens)).toBe(text);
    expect(tokens.length).toBeLessThan(text.length + 2); // one piece per character, not per byte
    const run = async (lora?: string) => {
      const ctx = await model.createContext({
        contextSize: 128,
        threads: 2,
        ...(lora ? { lora: { adapters: [{ filePath: lora, scale: 1 }] } } : {}),
      });
      const completion = new LlamaCompletion({ contextSequence: ctx.getSequence() });
      const out = await completion.generateCompletion("Call me", { maxTokens: 12, temperature: 0 });
      await ctx.dispose();
      return out;
    };
    const plain = await run();
    expect(await run()).toBe(plain); // greedy is deterministic
    expect(await run(join(dir, "lora.gguf"))).not.toBe(plain);
    await model.dispose();
  }, 60_000);
});
