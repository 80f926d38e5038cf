import { GgufError } from "./errors.ts";
import { llamaHparams, llamaTensorShapes, trainerConfig } from "./llama.ts";
import { readGguf } from "./readGguf.ts";
import { writeSafetensors } from "./safetensors.ts";
import { tensorToF32 } from "./tensorData.ts";
import type { GgufFile, GgufTensorInput, GgufValue, TorchTensor } from "./types.ts";
import { writeGguf } from "./writeGguf.ts";

/** The base model as the trainer reads it: `base.safetensors` (F32, torch layout) and `config.json`. */
export type TrainingFiles = { "base.safetensors": Uint8Array; "config.json": string };

/**
 * Converts a llama GGUF into the trainer's input (gguf-contract): every standard tensor dequantized to F32
 * in torch layout, and the model's numbers. A tied output (no `output.weight`) stays absent.
 *
 * @example
 * const files = ggufToTrainingFiles(new Uint8Array(readFileSync("base.gguf")));
 */
export function ggufToTrainingFiles(baseBytes: Uint8Array): TrainingFiles {
  const file = readGguf(baseBytes);
  const h = llamaHparams(file);
  const tied = !file.tensors.some((t) => t.name === "output.weight");
  const tensors: TorchTensor[] = llamaTensorShapes(h, tied).map(([name, shape]) => {
    const info = file.tensors.find((t) => t.name === name);
    const expected = [...shape].reverse().join("×");
    if (info && info.dims.map(Number).join("×") !== expected)
      throw new GgufError(
        "TENSOR_SHAPE",
        `tensor ${name} is ${info.dims.join("×")}, expected ${expected} from the model's numbers`,
        "The GGUF's metadata and tensors disagree; convert the model again.",
      );
    return { name, shape, data: tensorToF32(file, baseBytes, name) };
  });
  return {
    "base.safetensors": writeSafetensors(tensors),
    "config.json": `${JSON.stringify({ ...trainerConfig(h), tied_output: tied }, null, 2)}\n`,
  };
}

/** Options of {@link loraAdapterGguf}. */
export type LoraAdapterParameters = {
  /** The base model the adapter was trained on (its matrices' shapes are checked). */
  base: GgufFile;
  /** The trainer's `out.safetensors` in mode lora: `<name>.lora_a` [rank, in] and `<name>.lora_b` [out, rank]. */
  tensors: readonly TorchTensor[];
  alpha: number;
  name?: string;
};

/**
 * A llama.cpp LoRA adapter GGUF (`general.type` adapter, `adapter.type` lora, `adapter.lora.alpha`) from the
 * trainer's tensors. Each pair is checked against the base matrix it adapts, so a mismatched adapter fails
 * here, with the tensor named, instead of at load time in the server.
 */
export function loraAdapterGguf(params: LoraAdapterParameters): Uint8Array {
  const byName = new Map(params.tensors.map((t) => [t.name, t]));
  const out: GgufTensorInput[] = [];
  const targets = [...byName.keys()].filter((n) => n.endsWith(".lora_a")).sort(compareTensorNames);
  if (targets.length === 0)
    throw new GgufError(
      "TENSOR_MISSING",
      "the trainer's output has no .lora_a tensor",
      "Run the trainer in mode lora; mode full writes a whole model (fullModelGguf).",
    );
  for (const aName of targets) {
    const target = aName.slice(0, -".lora_a".length);
    const a = byName.get(aName)!;
    const b = byName.get(`${target}.lora_b`);
    const baseInfo = params.base.tensors.find((t) => t.name === target);
    if (!b || !baseInfo)
      throw new GgufError(
        "TENSOR_MISSING",
        b ? `the base model has no tensor ${target}` : `${aName} has no matching ${target}.lora_b`,
        "Train the adapter on this base model, with both factors of every adapted matrix.",
      );
    const [inDim, outDim] = baseInfo.dims.map(Number);
    const [rank, aIn] = a.shape;
    const [bOut, bRank] = b.shape;
    if (a.shape.length !== 2 || b.shape.length !== 2 || aIn !== inDim || bOut !== outDim || bRank !== rank)
      throw new GgufError(
        "TENSOR_SHAPE",
        `${target}: lora_a ${a.shape.join("×")} and lora_b ${b.shape.join("×")} do not fit the base matrix [${outDim}, ${inDim}]`,
        "lora_a must be [rank, in] and lora_b [out, rank] in torch layout; train on this base model.",
      );
    out.push({ name: aName, dims: [inDim!, rank!], type: "F32", data: a.data });
    out.push({ name: `${target}.lora_b`, dims: [rank!, outDim!], type: "F32", data: b.data });
  }
  return writeGguf({
    metadata: [
      ["general.architecture", { type: "string", value: "llama" }],
      ["general.type", { type: "string", value: "adapter" }],
      ["general.name", { type: "string", value: params.name ?? "tributary-lora" }],
      ["adapter.type", { type: "string", value: "lora" }],
      ["adapter.lora.alpha", { type: "f32", value: params.alpha }],
    ],
    tensors: out,
  });
}

/** A whole model GGUF: the base's metadata (architecture, vocabulary, numbers) with the trainer's weights (F32). */
export function fullModelGguf(params: {
  base: GgufFile;
  tensors: readonly TorchTensor[];
  name?: string;
}): Uint8Array {
  const byName = new Map(params.tensors.map((t) => [t.name, t]));
  const tensors: GgufTensorInput[] = params.base.tensors.map((info) => {
    const t = byName.get(info.name);
    if (!t)
      throw new GgufError(
        "TENSOR_MISSING",
        `the trainer's output has no tensor ${info.name}`,
        "Run the trainer in mode full on this base; it writes every tensor of the base.",
      );
    const dims = [...t.shape].reverse();
    if (dims.join("×") !== info.dims.map(Number).join("×"))
      throw new GgufError(
        "TENSOR_SHAPE",
        `tensor ${info.name} is ${t.shape.join("×")} (torch), the base has ${info.dims.join("×")} (GGUF)`,
        "Train on this base model.",
      );
    return { name: info.name, dims, type: "F32", data: t.data };
  });
  const metadata: [string, GgufValue][] = [...params.base.metadata.entries()]
    .filter(([key]) => key !== "general.alignment")
    .map(([key, value]): [string, GgufValue] => {
      if (key === "general.file_type") return [key, { type: "u32", value: 0 }];
      if (key === "general.name" && params.name) return [key, { type: "string", value: params.name }];
      return [key, value];
    });
  return writeGguf({ metadata, tensors });
}

/** Orders `blk.10.x` after `blk.9.x`: stable, human order for adapter files. */
function compareTensorNames(a: string, b: string): number {
  const key = (n: string) => n.replace(/\d+/g, (d) => d.padStart(6, "0"));
  return key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
}
