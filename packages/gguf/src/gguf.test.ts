import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  createNormalRandom,
  createTinyLlama,
  floatToHalf,
  fullModelGguf,
  GgufError,
  ggufToTrainingFiles,
  halfToFloat,
  llamaHparams,
  loraAdapterGguf,
  readGguf,
  readSafetensors,
  tensorToF32,
  tinyVocab,
  writeGguf,
  writeSafetensors,
} from "./index.ts";

const HP = {
  nEmbd: 32,
  nLayer: 2,
  nHead: 4,
  nHeadKv: 2,
  nFf: 48,
  nCtxTrain: 128,
  ropeFreqBase: 10000,
  rmsEps: 1e-5,
};

describe("GGUF", () => {
  it("reads back what it writes: every metadata type, F32 and F16 tensors, 32-byte aligned data", () => {
    const data = Float32Array.from({ length: 6 }, (_, i) => i - 2.5);
    const bytes = writeGguf({
      metadata: [
        ["a.u8", { type: "u8", value: 200 }],
        ["a.i16", { type: "i16", value: -7 }],
        ["a.u32", { type: "u32", value: 4_000_000_000 }],
        ["a.f32", { type: "f32", value: 0.5 }],
        ["a.bool", { type: "bool", value: true }],
        ["a.str", { type: "string", value: "▁whale “é”" }],
        ["a.u64", { type: "u64", value: 2n ** 40n }],
        ["a.i64", { type: "i64", value: -(2n ** 40n) }],
        ["a.f64", { type: "f64", value: Math.PI }],
        ["a.arr", { type: "array", itemType: "string", value: ["x", "", "yz"] }],
      ],
      tensors: [
        { name: "t32", dims: [3, 2], type: "F32", data },
        { name: "t16", dims: [6], type: "F16", data },
      ],
    });
    const file = readGguf(bytes);
    expect(file.version).toBe(3);
    expect(file.metadata.get("a.u32")).toEqual({ type: "u32", value: 4_000_000_000 });
    expect(file.metadata.get("a.str")).toEqual({ type: "string", value: "▁whale “é”" });
    expect(file.metadata.get("a.i64")).toEqual({ type: "i64", value: -(2n ** 40n) });
    expect(file.metadata.get("a.arr")).toEqual({ type: "array", itemType: "string", value: ["x", "", "yz"] });
    expect(file.dataOffset % 32).toBe(0);
    expect(file.tensors.map((t) => [t.name, t.dims, t.type])).toEqual([
      ["t32", [3n, 2n], "F32"],
      ["t16", [6n], "F16"],
    ]);
    expect([...tensorToF32(file, bytes, "t32")]).toEqual([...data]);
    expect([...tensorToF32(file, bytes, "t16")]).toEqual([...data]); // halves of 0.5 steps are exact
  });

  it("writes the same bytes for the same input (the hash goes on chain)", () => {
    const vocab = tinyVocab("Call me Ishmael.");
    const a = createTinyLlama({ hparams: HP, vocab, seed: 3 });
    const b = createTinyLlama({ hparams: HP, vocab, seed: 3 });
    const c = createTinyLlama({ hparams: HP, vocab, seed: 4 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it("half floats round-trip every finite half exactly", () => {
    for (let h = 0; h < 0x10000; h++) {
      if (((h >> 10) & 0x1f) === 31) continue;
      expect(floatToHalf(halfToFloat(h))).toBe(h === 0x8000 ? 0x8000 : h);
    }
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (x) => {
        const back = halfToFloat(floatToHalf(x));
        expect(Math.abs(back - x)).toBeLessThanOrEqual(Math.max(Math.abs(x) * 2 ** -11, 2 ** -25));
      }),
    );
  });

  it("refuses what is not GGUF, truncated files and hostile counts with a clear error", () => {
    const good = createTinyLlama({ hparams: HP, vocab: tinyVocab(), seed: 1 });
    const codeOf = (bytes: Uint8Array) => {
      try {
        readGguf(bytes);
        return "read";
      } catch (error) {
        expect(error).toBeInstanceOf(GgufError);
        expect((error as GgufError).hint).toBeTruthy();
        return (error as GgufError).code;
      }
    };
    expect(codeOf(new TextEncoder().encode("PK\u0003\u0004 a zip file"))).toBe("NOT_GGUF");
    expect(codeOf(good.subarray(0, 1000))).toBe("GGUF_TRUNCATED");
    const version = good.slice(0, 64);
    new DataView(version.buffer).setUint32(4, 9, true);
    expect(codeOf(version)).toBe("GGUF_VERSION");
    const hostile = good.slice();
    new DataView(hostile.buffer).setBigUint64(16, 2n ** 62n, true); // metadata count
    expect(codeOf(hostile)).toBe("GGUF_LIMIT");
    // A tensor whose data runs past the end of the file
    const file = readGguf(good);
    const cut = good.subarray(0, file.dataOffset + 100);
    expect(() => tensorToF32(readGguf(cut), cut, "output.weight")).toThrow(/runs past the end/);
  });
});

describe("llama files", () => {
  it("a tiny llama has the llama numbers, a SentencePiece vocabulary and every standard tensor", () => {
    const vocab = tinyVocab("Call me Ishmael — “whale”.");
    const file = readGguf(createTinyLlama({ hparams: HP, vocab, seed: 1 }));
    expect(llamaHparams(file)).toEqual({ ...HP, nVocab: vocab.tokens.length });
    expect(vocab.tokens.slice(0, 4)).toEqual(["<unk>", "<s>", "</s>", "<0x00>"]);
    expect(vocab.tokens).toContain("—");
    expect(vocab.tokens).toContain("▁");
    expect(file.tensors).toHaveLength(1 + 9 * HP.nLayer + 2);
    expect(file.tensors.find((t) => t.name === "blk.1.attn_k.weight")?.dims).toEqual([32n, 16n]);
  });

  it("training files carry the weights in torch layout, and a full model round-trips them", () => {
    const bytes = createTinyLlama({ hparams: HP, vocab: tinyVocab(), seed: 2 });
    const base = readGguf(bytes);
    const files = ggufToTrainingFiles(bytes);
    expect(JSON.parse(files["config.json"])).toMatchObject({
      arch: "llama",
      n_embd: 32,
      n_head_kv: 2,
      n_ff: 48,
    });
    const tensors = readSafetensors(files["base.safetensors"]);
    const q = tensors.find((t) => t.name === "blk.0.attn_q.weight")!;
    expect(q.shape).toEqual([32, 32]);
    expect([...q.data]).toEqual([...tensorToF32(base, bytes, "blk.0.attn_q.weight")]);
    const up = tensors.find((t) => t.name === "blk.0.ffn_up.weight")!;
    expect(up.shape).toEqual([48, 32]); // [out, in]
    const again = fullModelGguf({ base, tensors });
    const reread = readGguf(again);
    expect(reread.tensors.map((t) => [t.name, t.dims])).toEqual(base.tensors.map((t) => [t.name, t.dims]));
    expect(reread.metadata.get("tokenizer.ggml.tokens")).toEqual(base.metadata.get("tokenizer.ggml.tokens"));
    expect([...tensorToF32(reread, again, "output.weight")]).toEqual([
      ...tensorToF32(base, bytes, "output.weight"),
    ]);
  });

  it("a LoRA adapter is checked against its base: the factors' shapes, both factors present", () => {
    const base = readGguf(createTinyLlama({ hparams: HP, vocab: tinyVocab(), seed: 2 }));
    const rnd = createNormalRandom(9);
    const mk = (name: string, shape: number[]) => ({
      name,
      shape,
      data: Float32Array.from({ length: shape[0]! * shape[1]! }, () => rnd()),
    });
    const good = [mk("blk.0.attn_k.weight.lora_a", [4, 32]), mk("blk.0.attn_k.weight.lora_b", [16, 4])];
    const adapter = readGguf(loraAdapterGguf({ base, tensors: good, alpha: 8 }));
    expect(adapter.metadata.get("general.type")).toEqual({ type: "string", value: "adapter" });
    expect(adapter.metadata.get("adapter.lora.alpha")).toEqual({ type: "f32", value: 8 });
    expect(adapter.tensors.map((t) => [t.name, t.dims])).toEqual([
      ["blk.0.attn_k.weight.lora_a", [32n, 4n]],
      ["blk.0.attn_k.weight.lora_b", [4n, 16n]],
    ]);
    expect(() => loraAdapterGguf({ base, tensors: [good[0]!], alpha: 8 })).toThrow(/no matching/);
    const transposed = [mk("blk.0.attn_k.weight.lora_a", [32, 4]), good[1]!];
    expect(() => loraAdapterGguf({ base, tensors: transposed, alpha: 8 })).toThrow(
      /do not fit the base matrix/,
    );
    expect(() => loraAdapterGguf({ base, tensors: [], alpha: 8 })).toThrow(/no \.lora_a/);
  });

  it("a model that is not llama is refused for training, naming its architecture", () => {
    const bytes = writeGguf({
      metadata: [["general.architecture", { type: "string", value: "qwen2" }]],
      tensors: [],
    });
    expect(() => ggufToTrainingFiles(bytes)).toThrow(/architecture is qwen2, not llama/);
  });
});

describe("safetensors", () => {
  it("round-trips tensors and refuses a corrupt header", () => {
    const t = [{ name: "w", shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }];
    const bytes = writeSafetensors(t, { format: "pt" });
    expect(readSafetensors(bytes)).toEqual(t);
    const bad = bytes.slice();
    new DataView(bad.buffer).setBigUint64(0, 10n ** 12n, true);
    expect(() => readSafetensors(bad)).toThrow(/past the file's end/);
    expect(() => readSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/run past the file/);
  });
});
