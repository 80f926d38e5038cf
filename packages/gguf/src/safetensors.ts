import { GgufError } from "./errors.ts";
import { elementCount, halfToFloat } from "./tensorData.ts";
import type { TorchTensor } from "./types.ts";

const MAX_HEADER = 100 * 1024 * 1024;

/**
 * Writes tensors as a safetensors file (F32, torch layout), the format the trainer reads and writes.
 * Tensors are written in the given order; same input, same bytes.
 *
 * @example
 * writeFileSync("base.safetensors", writeSafetensors([{ name: "w", shape: [2, 3], data }]));
 */
export function writeSafetensors(
  tensors: readonly TorchTensor[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const t of tensors) {
    if (elementCount(t.shape) !== t.data.length)
      throw new RangeError(
        `tensor ${t.name}: shape ${t.shape.join("×")} does not hold ${t.data.length} elements`,
      );
    header[t.name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((json.length + 8) % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++) view.setFloat32(at + i * 4, t.data[i] as number, true);
    at += t.data.length * 4;
  }
  return out;
}

/**
 * Reads a safetensors file's F32, F16 and BF16 tensors as float32 in torch layout.
 *
 * @example
 * const tensors = readSafetensors(new Uint8Array(readFileSync("out.safetensors")));
 */
export function readSafetensors(bytes: Uint8Array): TorchTensor[] {
  const bad = (why: string) =>
    new GgufError(
      "NOT_SAFETENSORS",
      `not a readable safetensors file: ${why}`,
      "Check that the trainer finished and wrote out.safetensors completely (F32, F16 or BF16 tensors).",
    );
  if (bytes.byteLength < 8) throw bad("shorter than its 8-byte header length");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8)))
    throw bad(`header length ${n} is past the file's end`);
  let header: Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(n))));
  } catch (error) {
    throw bad(`header is not JSON (${(error as Error).message})`);
  }
  const base = 8 + Number(n);
  const out: TorchTensor[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const { dtype, shape, data_offsets } = entry;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad(`tensor ${name} has no valid shape`);
    if (!Array.isArray(data_offsets) || data_offsets.length !== 2)
      throw bad(`tensor ${name} has no data_offsets`);
    const [begin, end] = data_offsets as [number, number];
    const count = elementCount(shape as number[]);
    const width = dtype === "F32" ? 4 : dtype === "F16" || dtype === "BF16" ? 2 : 0;
    if (width === 0) throw bad(`tensor ${name} is ${String(dtype)} (F32, F16 and BF16 are read)`);
    if (end - begin !== count * width || base + end > bytes.byteLength || begin < 0)
      throw bad(`tensor ${name}'s data_offsets do not match its shape or run past the file`);
    const data = new Float32Array(count);
    const at = base + begin;
    if (dtype === "F32") for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + i * 4, true);
    else if (dtype === "F16")
      for (let i = 0; i < count; i++) data[i] = halfToFloat(view.getUint16(at + i * 2, true));
    else {
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        f.setUint32(0, view.getUint16(at + i * 2, true) << 16, true);
        data[i] = f.getFloat32(0, true);
      }
    }
    out.push({ name, shape: shape as number[], data });
  }
  return out;
}
