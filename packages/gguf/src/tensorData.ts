import { GgufError } from "./errors.ts";
import type { GgufFile, GgufTensorInfo } from "./types.ts";

/** Elements of a tensor (product of its dims). */
export function elementCount(dims: readonly (number | bigint)[]): number {
  return dims.reduce<number>((n, d) => n * Number(d), 1);
}

/** Bytes a tensor of `type` with `n` elements takes in a GGUF file, or undefined for a type not decoded here. */
export function tensorByteLength(type: GgufTensorInfo["type"], n: number): number | undefined {
  switch (type) {
    case "F32":
      return n * 4;
    case "F16":
    case "BF16":
      return n * 2;
    case "Q8_0":
      return (n / 32) * 34;
    default:
      return undefined;
  }
}

/** The named tensor's info, or a clear error naming the tensor and the file's kind. */
export function findTensor(file: GgufFile, name: string): GgufTensorInfo {
  const t = file.tensors.find((x) => x.name === name);
  if (!t)
    throw new GgufError(
      "TENSOR_MISSING",
      `the model has no tensor ${name}`,
      "Use a llama-architecture GGUF with every standard tensor (llama.cpp's convert_hf_to_gguf.py writes one).",
    );
  return t;
}

/**
 * The tensor's elements as float32, in GGUF order (ne0 fastest, which is torch's row-major order of the
 * reversed dims). F32, F16, BF16 and Q8_0 are decoded; other quantizations are refused with what to do.
 *
 * @example
 * const emb = tensorToF32(file, bytes, "token_embd.weight"); // length nVocab * nEmbd
 */
export function tensorToF32(file: GgufFile, bytes: Uint8Array, name: string): Float32Array {
  const t = findTensor(file, name);
  const n = elementCount(t.dims);
  const length = tensorByteLength(t.type, n);
  if (length === undefined)
    throw new GgufError(
      "TENSOR_TYPE",
      `tensor ${name} is ${t.type}, which this reader does not decode (F32, F16, BF16 and Q8_0 are)`,
      "Convert the base model to F16 (llama.cpp: convert_hf_to_gguf.py --outtype f16) to train on it; a quantized copy can still serve the adapter.",
    );
  const start = file.dataOffset + Number(t.offset);
  if (start + length > bytes.byteLength)
    throw new GgufError(
      "GGUF_TRUNCATED",
      `tensor ${name} runs past the end of the file (needs ${start + length} bytes, has ${bytes.byteLength})`,
      "The file is truncated: copy it again and check its size and hash.",
    );
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, length);
  const out = new Float32Array(n);
  switch (t.type) {
    case "F32":
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case "F16":
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
      break;
    case "BF16": {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < n; i++) {
        f.setUint32(0, view.getUint16(i * 2, true) << 16, true);
        out[i] = f.getFloat32(0, true);
      }
      break;
    }
    case "Q8_0":
      for (let b = 0; b < n / 32; b++) {
        const d = halfToFloat(view.getUint16(b * 34, true));
        for (let j = 0; j < 32; j++) out[b * 32 + j] = d * view.getInt8(b * 34 + 2 + j);
      }
      break;
  }
  return out;
}

/** IEEE 754 half → number. */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

/** number → IEEE 754 half, rounded to nearest even. */
export function floatToHalf(value: number): number {
  const f = new DataView(new ArrayBuffer(4));
  f.setFloat32(0, value, true);
  const x = f.getUint32(0, true);
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}
