/** Scalar value types of GGUF metadata, by their name in the format. */
export type GgufScalarType =
  | "u8"
  | "i8"
  | "u16"
  | "i16"
  | "u32"
  | "i32"
  | "f32"
  | "bool"
  | "string"
  | "u64"
  | "i64"
  | "f64";

/** One metadata value with its GGUF type, so that a file read and written again keeps every type. */
export type GgufValue =
  | { type: "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64"; value: number }
  | { type: "u64" | "i64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { type: "array"; itemType: GgufScalarType; value: (number | bigint | boolean | string)[] };

/** Tensor element types this package reads (dequantizes) and writes. Others are listed but not decoded. */
export type GgufTensorType = "F32" | "F16" | "BF16" | "Q8_0" | `ggml_type_${number}`;

/** A tensor's entry in a GGUF file. `dims` are in GGUF order (ne0, the fastest-varying, first). */
export type GgufTensorInfo = { name: string; dims: bigint[]; type: GgufTensorType; offset: bigint };

/** A parsed GGUF file: its metadata, its tensor table and where tensor data starts in the bytes. */
export type GgufFile = {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  /** Absolute byte offset of the tensor data section (tensor offsets are relative to it). */
  dataOffset: number;
  alignment: number;
};

/** A tensor to write: `dims` in GGUF order; `data` holds exactly the element count of `dims`. */
export type GgufTensorInput = { name: string; dims: number[]; type: "F32" | "F16"; data: Float32Array };

/** A tensor in torch (safetensors) layout: `shape` row-major, last index fastest. */
export type TorchTensor = { name: string; shape: number[]; data: Float32Array };

/** The numbers a llama-architecture model is built from. */
export type LlamaHparams = {
  nVocab: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  nHeadKv: number;
  nFf: number;
  nCtxTrain: number;
  ropeFreqBase: number;
  rmsEps: number;
};
