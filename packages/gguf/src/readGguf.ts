import { GgufError } from "./errors.ts";
import type { GgufFile, GgufScalarType, GgufTensorInfo, GgufTensorType, GgufValue } from "./types.ts";

const MAGIC = 0x46554747; // "GGUF", little-endian
const SCALAR: Record<number, GgufScalarType> = {
  0: "u8",
  1: "i8",
  2: "u16",
  3: "i16",
  4: "u32",
  5: "i32",
  6: "f32",
  7: "bool",
  8: "string",
  10: "u64",
  11: "i64",
  12: "f64",
};
const TENSOR_TYPE: Record<number, GgufTensorType> = { 0: "F32", 1: "F16", 8: "Q8_0", 30: "BF16" };
/** Bounds that keep a hostile header from allocating without end: far above any real model's. */
const MAX_ITEMS = 50_000_000;
const MAX_STRING = 64 * 1024 * 1024;
const MAX_DIMS = 4;

/**
 * Parses a GGUF file (versions 2 and 3): metadata with its types, the tensor table, where the data starts.
 * Tensor data is not copied; read it with {@link tensorToF32}. Every count and length is checked against the
 * bytes, so a truncated or hostile file fails with a clear error instead of allocating.
 *
 * @example
 * const file = readGguf(new Uint8Array(readFileSync("tiny.gguf")));
 * file.metadata.get("general.architecture"); // { type: "string", value: "llama" }
 */
export function readGguf(bytes: Uint8Array): GgufFile {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number) => {
    if (at + n > bytes.byteLength)
      throw new GgufError(
        "GGUF_TRUNCATED",
        `GGUF file ends at byte ${bytes.byteLength} but its header needs byte ${at + n}`,
        "The file is truncated or not a GGUF model: copy it again and check its size and hash.",
      );
  };
  /** Reserves `n` bytes and returns where they start. */
  const take = (n: number): number => {
    need(n);
    at += n;
    return at - n;
  };
  const u32 = () => view.getUint32(take(4), true);
  const u64 = () => view.getBigUint64(take(8), true);
  const count = (what: string, limit = MAX_ITEMS) => {
    const n = u64();
    if (n > BigInt(limit))
      throw new GgufError(
        "GGUF_LIMIT",
        `GGUF ${what} is ${n}, above the limit of ${limit}`,
        "The file is corrupt or hostile; use a GGUF written by llama.cpp's converters or this project.",
      );
    return Number(n);
  };
  const str = () => {
    const n = count("string length", MAX_STRING);
    const from = take(n);
    return new TextDecoder("utf-8", { fatal: false }).decode(bytes.subarray(from, from + n));
  };
  const scalar = (type: GgufScalarType): number | bigint | boolean | string => {
    switch (type) {
      case "u8":
        return view.getUint8(take(1));
      case "i8":
        return view.getInt8(take(1));
      case "u16":
        return view.getUint16(take(2), true);
      case "i16":
        return view.getInt16(take(2), true);
      case "u32":
        return u32();
      case "i32":
        return view.getInt32(take(4), true);
      case "f32":
        return shortestF32(view.getFloat32(take(4), true));
      case "bool":
        return view.getUint8(take(1)) !== 0;
      case "string":
        return str();
      case "u64":
        return u64();
      case "i64":
        return view.getBigInt64(take(8), true);
      case "f64":
        return view.getFloat64(take(8), true);
    }
  };
  const typeOf = (code: number, key: string): GgufScalarType => {
    const t = SCALAR[code];
    if (!t)
      throw new GgufError(
        "NOT_GGUF",
        `GGUF metadata ${key} has unknown value type ${code}`,
        "The file is corrupt or uses a newer GGUF revision than this reader knows.",
      );
    return t;
  };

  if (bytes.byteLength < 4 || view.getUint32(0, true) !== MAGIC)
    throw new GgufError(
      "NOT_GGUF",
      "the file does not start with the GGUF magic",
      "Pass a .gguf model file (llama.cpp's format), not a safetensors, PyTorch or GGML file.",
    );
  at = 4;
  const version = u32();
  if (version !== 2 && version !== 3)
    throw new GgufError(
      "GGUF_VERSION",
      `GGUF version ${version} is not supported (2 and 3 are)`,
      "Convert the model again with a current llama.cpp.",
    );
  const nTensors = count("tensor count");
  const nKv = count("metadata count");
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < nKv; i++) {
    const key = str();
    const code = u32();
    if (code === 9) {
      const itemType = typeOf(u32(), key);
      const n = count(`array ${key} length`);
      const value: (number | bigint | boolean | string)[] = new Array(n);
      for (let j = 0; j < n; j++) value[j] = scalar(itemType);
      metadata.set(key, { type: "array", itemType, value });
    } else {
      const type = typeOf(code, key);
      metadata.set(key, { type, value: scalar(type) } as GgufValue);
    }
  }
  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < nTensors; i++) {
    const name = str();
    const nDims = u32();
    if (nDims < 1 || nDims > MAX_DIMS)
      throw new GgufError("NOT_GGUF", `tensor ${name} has ${nDims} dimensions`, "The file is corrupt.");
    const dims: bigint[] = [];
    for (let d = 0; d < nDims; d++) dims.push(u64());
    const code = u32();
    tensors.push({ name, dims, type: TENSOR_TYPE[code] ?? `ggml_type_${code}`, offset: u64() });
  }
  const alignValue = metadata.get("general.alignment");
  const alignment = alignValue?.type === "u32" ? alignValue.value : 32;
  const dataOffset = Math.ceil(at / alignment) * alignment;
  return { version, metadata, tensors, dataOffset, alignment };
}

/** The shortest decimal that is the same float32 (1e-5, not 0.000009999999747…); written back, the same bits. */
function shortestF32(x: number): number {
  for (let p = 1; p < 10; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}
