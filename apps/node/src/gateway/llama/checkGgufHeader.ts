import { open } from "node:fs/promises";
import { GgufError, type GgufFile, readGguf } from "@tributary/gguf";
import { fileNotFound, invalidFile } from "./llamaErrors.ts";

/** The most header bytes read (a real model's vocabulary takes a few MB of them). */
const MAX_HEADER_BYTES = 256 * 1024 * 1024;

/**
 * Parses the header of a base or adapter GGUF with this project's bounded reader before llama.cpp sees the file:
 * node-llama-cpp's own reader does not bound a hostile header's counts (a file claiming a huge version or tensor
 * count stalls it), so a bad file must fail here, with a clear 422. Reads a growing prefix until the header fits.
 * A base must not be an adapter; an adapter must be a LoRA adapter (`general.type` adapter, `adapter.type` lora).
 *
 * @example
 * await checkGgufHeader("/models/base.gguf", "base");
 */
export async function checkGgufHeader(path: string, what: "base" | "adapter"): Promise<GgufFile> {
  let handle: Awaited<ReturnType<typeof open>>;
  let size: number;
  try {
    handle = await open(path, "r");
    const st = await handle.stat();
    if (!st.isFile()) {
      await handle.close();
      throw new Error("not a regular file");
    }
    size = st.size;
  } catch (error) {
    throw fileNotFound(what, path, error);
  }
  try {
    let length = Math.min(size, 1 << 20);
    for (;;) {
      const bytes = new Uint8Array(length);
      await handle.read(bytes, 0, length, 0);
      let file: GgufFile;
      try {
        file = readGguf(bytes);
      } catch (error) {
        const more = error instanceof GgufError && error.code === "GGUF_TRUNCATED" && length < size;
        if (more && length < MAX_HEADER_BYTES) {
          length = Math.min(size, length * 4, MAX_HEADER_BYTES);
          continue;
        }
        throw invalidFile(what, path, (error as Error).message, error);
      }
      const type = file.metadata.get("general.type")?.value;
      if (what === "adapter" && (type !== "adapter" || file.metadata.get("adapter.type")?.value !== "lora")) {
        throw invalidFile(what, path, `general.type is ${String(type)}, not a LoRA adapter`);
      }
      if (what === "base" && type === "adapter") {
        throw invalidFile(what, path, "it is an adapter, not a model (pass it as adapterFile)");
      }
      if (file.dataOffset > size) {
        throw invalidFile(
          what,
          path,
          `its tensor data would start at byte ${file.dataOffset}, past its end (${size})`,
        );
      }
      return file;
    }
  } finally {
    await handle.close();
  }
}
