/**
 * GGUF and safetensors in pure TypeScript: read a model's metadata and tensors, write llama models and LoRA
 * adapters, and the trainer's working files (docs/training.md). No file access: callers pass bytes.
 */
export { GgufError, type GgufErrorCode } from "./errors.ts";
export {
  LLAMA_BLOCK_MATRICES,
  llamaHparams,
  llamaMetadata,
  llamaTensorShapes,
  trainerConfig,
} from "./llama.ts";
export { readGguf } from "./readGguf.ts";
export { readSafetensors, writeSafetensors } from "./safetensors.ts";
export { elementCount, findTensor, floatToHalf, halfToFloat, tensorToF32 } from "./tensorData.ts";
export {
  type CreateTinyLlamaParameters,
  createNormalRandom,
  createTinyLlama,
  type TinyVocab,
  tinyVocab,
  vocabMetadata,
} from "./tinyLlama.ts";
export {
  fullModelGguf,
  ggufToTrainingFiles,
  type LoraAdapterParameters,
  loraAdapterGguf,
  type TrainingFiles,
} from "./trainingFiles.ts";
export type * from "./types.ts";
export { type WriteGgufParameters, writeGguf } from "./writeGguf.ts";
