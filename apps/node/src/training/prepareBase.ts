import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { GgufError, type GgufFile, llamaHparams, llamaTensorShapes, readGguf } from "@tributary/gguf";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";

/** Largest base GGUF a job takes (the node reads it whole, then dequantizes it to F32 for the trainer). */
export const MAX_BASE_BYTES = 8 * 1024 ** 3;

/** Tensor types the GGUF reader dequantizes, so the trainer can start from them. */
const TRAINABLE_TYPES = new Set(["F32", "F16", "BF16", "Q8_0"]);

/** A base model checked and put into the content store. */
export type PreparedBase = { cid: string; sha256: string; name: string; bytes: Uint8Array; file: GgufFile };

const CID = /^baf[a-z2-7]{20,}$/;

/**
 * Reads the base GGUF a request names (a path on the node's machine or a CID of its content store), checks it
 * can be trained here (a llama-architecture model, not an adapter, every tensor F32/F16/BF16/Q8_0) and stores it
 * (so that a resumed job finds it even if the path changes). Throws an ApiError naming the problem otherwise.
 */
export async function prepareBase(ctx: NodeContext, input: string): Promise<PreparedBase> {
  let bytes: Uint8Array | undefined;
  if (CID.test(input)) {
    bytes = await ctx.store.get(input);
    if (!bytes)
      throw new ApiError(
        404,
        "BASE_NOT_FOUND",
        `the content store of this node has no ${input}`,
        "Pass the path of the base GGUF on the node's machine, or a CID this node stores.",
      );
  } else {
    const path = resolve(input);
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile())
      throw new ApiError(
        404,
        "BASE_NOT_FOUND",
        `the base model ${path} ${info ? "is not a file" : "does not exist"} on the node's machine`,
        "Pass the path of a GGUF file the node can read (absolute, or relative to where the node runs), or a CID it stores.",
      );
    if (info.size > MAX_BASE_BYTES)
      throw new ApiError(
        413,
        "BASE_TOO_LARGE",
        `the base model is ${info.size} bytes; a job takes at most ${MAX_BASE_BYTES}`,
        "Train a smaller base (a 0.5B–1B model in F16 fits).",
      );
    bytes = new Uint8Array(await readFile(path));
  }
  const file = checkTrainableBase(bytes);
  const name = file.metadata.get("general.name");
  const put = await ctx.store.put(bytes);
  return {
    cid: put.cid,
    sha256: `0x${createHash("sha256").update(bytes).digest("hex")}`,
    name: name?.type === "string" ? name.value : "unnamed",
    bytes,
    file,
  };
}

/** Parses and checks a base GGUF; 422 `BASE_NOT_TRAINABLE` (or `BASE_NOT_GGUF`) with what to do. */
export function checkTrainableBase(bytes: Uint8Array): GgufFile {
  let file: GgufFile;
  try {
    file = readGguf(bytes);
  } catch (error) {
    if (!(error instanceof GgufError)) throw error;
    throw new ApiError(
      422,
      "BASE_NOT_GGUF",
      `the base model is not a GGUF file: ${error.message}`,
      error.hint ?? "",
      {
        cause: error,
      },
    );
  }
  const type = file.metadata.get("general.type");
  if (type?.type === "string" && type.value === "adapter")
    throw new ApiError(
      422,
      "BASE_NOT_TRAINABLE",
      "the base GGUF is an adapter, not a model",
      "Pass the base model the adapter was made for (a whole llama GGUF).",
    );
  try {
    const h = llamaHparams(file);
    const tied = !file.tensors.some((t) => t.name === "output.weight");
    for (const [name] of llamaTensorShapes(h, tied)) {
      const t = file.tensors.find((x) => x.name === name);
      if (!t)
        throw new GgufError(
          "TENSOR_MISSING",
          `the model has no tensor ${name}`,
          "The GGUF is not a standard llama model; convert it again.",
        );
      if (!TRAINABLE_TYPES.has(t.type))
        throw new GgufError(
          "TENSOR_TYPE",
          `tensor ${name} is ${t.type}; the trainer starts from F32, F16, BF16 or Q8_0 weights only`,
          "Convert the base to F16 first (llama.cpp convert_hf_to_gguf.py --outtype f16); a quantized copy can still serve the adapter.",
        );
    }
  } catch (error) {
    if (!(error instanceof GgufError)) throw error;
    throw new ApiError(422, "BASE_NOT_TRAINABLE", error.message, error.hint ?? "", { cause: error });
  }
  return file;
}
