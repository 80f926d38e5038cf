/**
 * Child process of the crash test: puts distinct 256 KiB blobs into the store at argv[2] as fast as it can,
 * printing each CID once its put has returned, until it is killed (SIGKILL, mid-write).
 */
import { createLocalContentStore } from "../createLocalContentStore.ts";

const store = createLocalContentStore({ dir: process.argv[2]! });
for (let i = 0; ; i++) {
  const bytes = new Uint8Array(256 * 1024).fill(i & 0xff);
  new DataView(bytes.buffer).setUint32(0, i);
  const { cid } = await store.put(bytes);
  process.stdout.write(`${cid}\n`);
}
