import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../fs/writeFileAtomic.ts";
import { AttributionError, type AttributionIndex, decodeIndex, encodeIndex } from "./core.ts";

/** Parameters of {@link createIndexFileStore}. */
export type CreateIndexFileStoreParameters = {
  /** Directory holding `<sha256>.tidx` files; created on first write. */
  readonly dir: string;
};

/** A content-addressed folder of attribution index files. */
export type IndexFileStore = {
  /** Serializes and writes an index atomically; returns its content address and path. */
  write(index: AttributionIndex): Promise<{ id: string; path: string; bytes: number }>;
  /** Raw bytes of an index file, or undefined if the store has no such id. */
  readBytes(id: string): Promise<Uint8Array | undefined>;
  /**
   * Loads and verifies an index (checksum, and that its content address is `id`). Undefined if absent;
   * an `AttributionError` (`INDEX_*`) if the file is corrupt or truncated.
   */
  read(id: string): Promise<AttributionIndex | undefined>;
  /** Path of the file for `id` (whether or not it exists). */
  pathOf(id: string): string;
};

const ID = /^[0-9a-f]{64}$/;

/**
 * Creates the local index file store: one file per index, named by its sha-256, written atomically
 * (temporary file, fsync, rename, fsync of the directory) so a crash never leaves a half-written index
 * under a valid name.
 *
 * @example
 * const store = createIndexFileStore({ dir: ".tributary/indexes" });
 * const { id } = await store.write(index);
 * const again = await store.read(id);
 */
export function createIndexFileStore(parameters: CreateIndexFileStoreParameters): IndexFileStore {
  const { dir } = parameters;
  const pathOf = (id: string): string => {
    if (!ID.test(id)) {
      throw new AttributionError(
        "INVALID_PARAMETER",
        `"${id}" is not an index id`,
        "Index ids are 64 hex digits.",
      );
    }
    return join(dir, `${id}.tidx`);
  };

  async function write(index: AttributionIndex): Promise<{ id: string; path: string; bytes: number }> {
    const { bytes, id } = await encodeIndex(index);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const path = pathOf(id);
    await writeFileAtomic(path, bytes);
    return { id, path, bytes: bytes.length };
  }

  async function readBytes(id: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(pathOf(id));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async function read(id: string): Promise<AttributionIndex | undefined> {
    const bytes = await readBytes(id);
    if (bytes === undefined) return undefined;
    const decoded = await decodeIndex(bytes);
    if (decoded.id !== id) {
      throw new AttributionError(
        "INDEX_CHECKSUM_MISMATCH",
        `file ${id.slice(0, 12)}… holds index ${decoded.id.slice(0, 12)}…`,
        "The store was tampered with; delete the file and rebuild or refetch the index.",
      );
    }
    return decoded.index;
  }

  return { write, readBytes, read, pathOf };
}
