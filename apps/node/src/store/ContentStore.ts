import type { Hex32 } from "./cid.ts";

/** What {@link ContentStore.put} returns. */
export type PutResult = {
  /** CIDv1, raw codec, sha2-256, base32 (`bafkrei…`). */
  cid: string;
  /** The bare sha-256 of the bytes, 0x-hex. */
  sha256: Hex32;
  /** Size in bytes. */
  size: number;
};

/**
 * A content-addressed blob store: bytes in, their CID out; bytes are only ever read back under the CID they
 * hash to. The local folder store implements it; an IPFS (Kubo RPC: `/api/v0/block/put?cid-codec=raw&mhtype=sha2-256`,
 * `block/get`, `block/stat`, `block/rm`, `pin/ls`) or an S3 adapter (object key = CID) can implement it later
 * with the same semantics.
 *
 * Errors are {@link ContentStoreError}s: `INVALID_CID`, `CONTENT_CORRUPT` (bytes that do not match their CID),
 * `STORE_IO` (retryable).
 */
export type ContentStore = {
  /** Stores `bytes` durably (idempotent: storing the same bytes twice is one blob). */
  put(bytes: Uint8Array): Promise<PutResult>;
  /** The bytes of `cid`, verified against it; `undefined` when the store does not have them. */
  get(cid: string): Promise<Uint8Array | undefined>;
  /** Whether the store has `cid` (without reading or verifying it). */
  has(cid: string): Promise<boolean>;
  /** Removes `cid` (the rollback of an upload that failed before registration); `false` if it was not there. */
  delete(cid: string): Promise<boolean>;
  /** Every CID in the store, streamed, in no particular order. */
  list(): AsyncIterable<string>;
};
