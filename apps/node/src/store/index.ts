/**
 * Content-addressed storage of uploaded bytes (docs/ingest.md, "CID scheme"): the {@link ContentStore}
 * interface and its local folder implementation.
 */

export type { ContentStore, PutResult } from "./ContentStore.ts";
export { type ContentAddress, cidForBytes, cidToSha256, type Hex32 } from "./cid.ts";
export {
  createLocalContentStore,
  type LocalContentStore,
  type LocalContentStoreParameters,
} from "./createLocalContentStore.ts";
export { ContentStoreError, type ContentStoreErrorCode } from "./errors.ts";
