import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/**
 * The sha-256 of a file, streamed (a base GGUF may be gigabytes), as 64 lower-case hex digits.
 *
 * @example
 * const sha256 = await hashFile("/models/qwen2.5-0.5b-instruct-q8_0.gguf");
 */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
