import { floatToHalf } from "./tensorData.ts";
import type { GgufScalarType, GgufTensorInput, GgufValue } from "./types.ts";

const CODE: Record<GgufScalarType, number> = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  u64: 10,
  i64: 11,
  f64: 12,
};
const ALIGNMENT = 32;

/** Grows a byte buffer as values are appended, little-endian. */
function createByteWriter() {
  let buf = new Uint8Array(1 << 16);
  let view = new DataView(buf.buffer);
  let at = 0;
  const room = (n: number) => {
    if (at + n <= buf.length) return;
    const next = new Uint8Array(Math.max(buf.length * 2, at + n));
    next.set(buf.subarray(0, at));
    buf = next;
    view = new DataView(buf.buffer);
  };
  const w = {
    u8(v: number) {
      room(1);
      view.setUint8(at++, v);
    },
    u32(v: number) {
      room(4);
      view.setUint32(at, v, true);
      at += 4;
    },
    u64(v: bigint | number) {
      room(8);
      view.setBigUint64(at, BigInt(v), true);
      at += 8;
    },
    bytes(b: Uint8Array) {
      room(b.length);
      buf.set(b, at);
      at += b.length;
    },
    string(s: string) {
      const b = new TextEncoder().encode(s);
      w.u64(b.length);
      w.bytes(b);
    },
    scalar(type: GgufScalarType, v: number | bigint | boolean | string) {
      switch (type) {
        case "u8":
        case "bool":
          w.u8(Number(v));
          return;
        case "i8":
          room(1);
          view.setInt8(at++, Number(v));
          return;
        case "u16":
          room(2);
          view.setUint16(at, Number(v), true);
          at += 2;
          return;
        case "i16":
          room(2);
          view.setInt16(at, Number(v), true);
          at += 2;
          return;
        case "u32":
          w.u32(Number(v));
          return;
        case "i32":
          room(4);
          view.setInt32(at, Number(v), true);
          at += 4;
          return;
        case "f32":
          room(4);
          view.setFloat32(at, Number(v), true);
          at += 4;
          return;
        case "u64":
          w.u64(BigInt(v as bigint | number));
          return;
        case "i64":
          room(8);
          view.setBigInt64(at, BigInt(v as bigint | number), true);
          at += 8;
          return;
        case "f64":
          room(8);
          view.setFloat64(at, Number(v), true);
          at += 8;
          return;
        case "string":
          w.string(String(v));
          return;
      }
    },
    pad(alignment: number) {
      const n = (alignment - (at % alignment)) % alignment;
      room(n);
      at += n;
    },
    get length() {
      return at;
    },
    result: () => buf.slice(0, at),
  };
  return w;
}

/** Options of {@link writeGguf}. */
export type WriteGgufParameters = {
  /** Metadata in the order to write it (llama.cpp reads by key; order is kept for stable bytes). */
  metadata: [string, GgufValue][];
  tensors: GgufTensorInput[];
};

/**
 * Writes a GGUF v3 file: metadata, the tensor table, then each tensor's data aligned to 32 bytes. Same
 * input, same bytes (the file hash is what goes on chain).
 *
 * @example
 * const bytes = writeGguf({ metadata: [["general.architecture", { type: "string", value: "llama" }]], tensors });
 */
export function writeGguf(params: WriteGgufParameters): Uint8Array {
  const w = createByteWriter();
  w.bytes(new TextEncoder().encode("GGUF"));
  w.u32(3);
  w.u64(params.tensors.length);
  w.u64(params.metadata.length);
  for (const [key, v] of params.metadata) {
    w.string(key);
    if (v.type === "array") {
      w.u32(9);
      w.u32(CODE[v.itemType]);
      w.u64(v.value.length);
      for (const item of v.value) w.scalar(v.itemType, item);
    } else {
      w.u32(CODE[v.type]);
      w.scalar(v.type, v.value);
    }
  }
  let offset = 0;
  const layout = params.tensors.map((t) => {
    const n = t.dims.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new RangeError(
        `tensor ${t.name}: dims ${t.dims.join("×")} hold ${n} elements, data has ${t.data.length}`,
      );
    const size = n * (t.type === "F32" ? 4 : 2);
    const at = offset;
    offset += Math.ceil(size / ALIGNMENT) * ALIGNMENT;
    return { t, at, size };
  });
  for (const { t, at } of layout) {
    w.string(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type === "F32" ? 0 : 1);
    w.u64(at);
  }
  w.pad(ALIGNMENT);
  for (const { t, size } of layout) {
    const data = new Uint8Array(size);
    const view = new DataView(data.buffer);
    if (t.type === "F32")
      for (let i = 0; i < t.data.length; i++) view.setFloat32(i * 4, t.data[i] as number, true);
    else
      for (let i = 0; i < t.data.length; i++) view.setUint16(i * 2, floatToHalf(t.data[i] as number), true);
    w.bytes(data);
    w.pad(ALIGNMENT);
  }
  return w.result();
}
