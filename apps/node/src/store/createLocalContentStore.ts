import { createHash, randomBytes } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, open, opendir, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { ContentStore, PutResult } from "./ContentStore.ts";
import { cidForBytes, cidForSha256, cidToSha256 } from "./cid.ts";
import { ContentStoreError } from "./errors.ts";

/** Parameters of {@link createLocalContentStore}. */
export type LocalContentStoreParameters = {
  /** Root folder of the store (created if missing). */
  dir: string;
};

/** The local folder store: a {@link ContentStore} plus maintenance of its folder. */
export type LocalContentStore = ContentStore & {
  readonly dir: string;
  /** Where the blob of `cid` lives (whether or not it exists). */
  pathOf(cid: string): string;
  /**
   * Deletes temporary files that a crashed `put` left behind (never visible as content) when older than
   * `olderThanMs` (default one hour, so a concurrent `put` is never disturbed). Returns how many were removed.
   */
  sweepTemporaryFiles(options?: { olderThanMs?: number }): Promise<number>;
  /**
   * Moves a finished file into the store under its CID without holding it in memory (epoch bundles of
   * millions of receipts): the file is hashed by streaming, fsynced, renamed into place (same file system:
   * write it under {@link LocalContentStore.tmpDir}) and its folder fsynced. The source path is gone after.
   */
  putFile(path: string): Promise<PutResult>;
  /** The bytes of `cid` as a stream (not verified while streaming: use `get` or re-hash to check). */
  createReadStream(cid: string): NodeJS.ReadableStream | undefined;
  /** A folder on the store's file system for files to hand to `putFile`. */
  readonly tmpDir: string;
};

const CID_NAME = /^b[a-z2-7]{58}$/;
const TMP_SUFFIX = ".tmp";

function ioError(action: string, cause: unknown): ContentStoreError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new ContentStoreError(
    "STORE_IO",
    `content store: cannot ${action}: ${detail}`,
    "Check the store folder's disk space and permissions, then retry.",
    { cause },
  );
}

function isNotFound(e: unknown): boolean {
  return typeof e === "object" && e !== null && (e as { code?: unknown }).code === "ENOENT";
}

/** fsync a directory, so that a rename or unlink inside it survives a power loss. */
async function syncDir(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * A content-addressed store in a local folder. Layout: `<dir>/<h0h1>/<h2h3>/<cid>`, where `h` is the hex sha-256
 * (two levels of 256 folders keep folders small at millions of blobs). A `put` is atomic and durable: the bytes
 * go to a temporary file in the blob's own folder, which is fsynced, renamed over the final name and the folder
 * fsynced, so a crash leaves either the whole blob or no blob (plus, at worst, a temporary file that `list`
 * ignores and `sweepTemporaryFiles` removes). `get` re-hashes what it reads and throws `CONTENT_CORRUPT` when the
 * bytes no longer match their CID.
 *
 * @example
 * const store = createLocalContentStore({ dir: "/var/lib/tributary/content" });
 * const { cid } = await store.put(bytes); // "bafkrei…"
 * await store.get(cid); // the same bytes, verified
 */
export function createLocalContentStore(parameters: LocalContentStoreParameters): LocalContentStore {
  const { dir } = parameters;

  function folderOf(sha256: string): string {
    return join(dir, sha256.slice(2, 4), sha256.slice(4, 6));
  }

  function pathOf(cid: string): string {
    return join(folderOf(cidToSha256(cid)), cid);
  }

  async function put(bytes: Uint8Array): Promise<PutResult> {
    const { cid, sha256 } = cidForBytes(bytes);
    const result: PutResult = { cid, sha256, size: bytes.length };
    const folder = folderOf(sha256);
    const target = join(folder, cid);
    // Already stored: done, unless the blob on disk is damaged, in which case this put repairs it.
    try {
      const existing = await readFile(target);
      if (existing.length === bytes.length && cidForBytes(existing).cid === cid) return result;
    } catch (e) {
      if (!isNotFound(e)) throw ioError(`read ${target}`, e);
    }
    const tmp = join(folder, `.${cid}.${process.pid}.${randomBytes(6).toString("hex")}${TMP_SUFFIX}`);
    try {
      const created = await mkdir(folder, { recursive: true, mode: 0o700 });
      if (created !== undefined) {
        // New folders must be durable too: fsync each parent whose entry list changed.
        await syncDir(join(folder, ".."));
        await syncDir(dir).catch(() => undefined);
        await syncDir(join(dir, "..")).catch(() => undefined);
      }
      const handle = await open(tmp, "wx", 0o400);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, target);
      await syncDir(folder);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw ioError(`write ${target}`, e);
    }
    return result;
  }

  async function get(cid: string): Promise<Uint8Array | undefined> {
    const path = pathOf(cid);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw ioError(`read ${path}`, e);
    }
    const actual = cidForBytes(bytes).cid;
    if (actual !== cid) {
      throw new ContentStoreError(
        "CONTENT_CORRUPT",
        `content store: ${path} does not match its CID (its bytes hash to ${actual})`,
        "The file was damaged or changed on disk: restore it from a backup or another node, or delete it and upload the content again.",
      );
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async function has(cid: string): Promise<boolean> {
    const path = pathOf(cid);
    try {
      return (await stat(path)).isFile();
    } catch (e) {
      if (isNotFound(e)) return false;
      throw ioError(`stat ${path}`, e);
    }
  }

  async function remove(cid: string): Promise<boolean> {
    const path = pathOf(cid);
    try {
      await unlink(path);
    } catch (e) {
      if (isNotFound(e)) return false;
      throw ioError(`delete ${path}`, e);
    }
    await syncDir(join(path, "..")).catch((e: unknown) => {
      throw ioError(`fsync the folder of ${path}`, e);
    });
    return true;
  }

  /** Files of the two-level fan-out, as [folder, name] pairs, streamed. */
  async function* walk(): AsyncGenerator<[string, string]> {
    let top: Awaited<ReturnType<typeof opendir>>;
    try {
      top = await opendir(dir);
    } catch (e) {
      if (isNotFound(e)) return;
      throw ioError(`list ${dir}`, e);
    }
    for await (const a of top) {
      if (!a.isDirectory() || !/^[0-9a-f]{2}$/.test(a.name)) continue;
      for await (const b of await opendir(join(dir, a.name))) {
        if (!b.isDirectory() || !/^[0-9a-f]{2}$/.test(b.name)) continue;
        const folder = join(dir, a.name, b.name);
        for await (const f of await opendir(folder)) if (f.isFile()) yield [folder, f.name];
      }
    }
  }

  async function* list(): AsyncGenerator<string> {
    for await (const [, name] of walk()) if (CID_NAME.test(name)) yield name;
  }

  async function sweepTemporaryFiles(options: { olderThanMs?: number } = {}): Promise<number> {
    const cutoff = Date.now() - (options.olderThanMs ?? 3_600_000);
    let removed = 0;
    for await (const [folder, name] of walk()) {
      if (!name.startsWith(".") || !name.endsWith(TMP_SUFFIX)) continue;
      const path = join(folder, name);
      try {
        if ((await stat(path)).mtimeMs <= cutoff) {
          await unlink(path);
          removed++;
        }
      } catch (e) {
        if (!isNotFound(e)) throw ioError(`sweep ${path}`, e);
      }
    }
    return removed;
  }

  const tmpDir = join(dir, "tmp");

  async function putFile(path: string): Promise<PutResult> {
    const hash = createHash("sha256");
    let size = 0;
    try {
      for await (const chunk of createReadStream(path)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).length;
      }
    } catch (e) {
      throw ioError(`read ${path}`, e);
    }
    const digest = hash.digest();
    const cid = cidForSha256(digest);
    const sha256 = `0x${digest.toString("hex")}` as const;
    const folder = folderOf(sha256);
    const target = join(folder, cid);
    try {
      const created = await mkdir(folder, { recursive: true, mode: 0o700 });
      if (created !== undefined) {
        await syncDir(join(folder, ".."));
        await syncDir(dir).catch(() => undefined);
      }
      const handle = await open(path, "r+");
      try {
        // Blobs are immutable and the node's own: owner read-only, like the ones `put` writes.
        await handle.chmod(0o400);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(path, target);
      await syncDir(folder);
    } catch (e) {
      throw ioError(`move ${path} to ${target}`, e);
    }
    return { cid, sha256, size };
  }

  function createStream(cid: string): NodeJS.ReadableStream | undefined {
    const path = pathOf(cid);
    return existsSync(path) ? createReadStream(path) : undefined;
  }

  return {
    dir,
    tmpDir,
    pathOf,
    put,
    get,
    has,
    delete: remove,
    list,
    sweepTemporaryFiles,
    putFile,
    createReadStream: createStream,
  };
}
