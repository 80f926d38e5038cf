import type { ExtractOptions } from "@tributary/core";
import type { ChainContext, NodeContext } from "../../context/NodeContext.ts";
import { createExtractionPool, type ExtractionLimits, type ExtractionPool } from "./createExtractionPool.ts";
import { createMutex, type Mutex } from "./createMutex.ts";
import { DatanetError } from "./errors.ts";
import { createNearDuplicateIndex, type NearDuplicateIndex } from "./nearDuplicates.ts";
import {
  type RelayQuotaOptions,
  type ResolvedRelayQuotaOptions,
  resolveRelayQuotaOptions,
} from "./relayQuota.ts";

/** Options of the upload service; every field has a default. */
export type UploadOptions = {
  /** Largest file accepted, in bytes (default 32 MiB). */
  maxFileBytes?: number;
  /** Most files per upload (default 100). */
  maxFiles?: number;
  /** Most documents per upload, all files together (default 10,000). */
  maxDocuments?: number;
  /** Documents per `contributeBatchWithSig` transaction, one signature each (default and maximum 100). */
  batchSize?: number;
  /** How long a staged relayed upload may wait for its signatures; also the signed deadline (default 1 h). */
  stagingTtlSeconds?: number;
  /** How long a direct upload's blobs wait for the contributor's own transaction (default 24 h). */
  directTtlSeconds?: number;
  /** Near-duplicate threshold when the datanet has no setting (default 0.8). */
  nearDuplicateThreshold?: number;
  /** How long to wait for a relayed transaction's receipt before reporting it pending (default 60 s). */
  receiptTimeoutMs?: number;
  /** Format options passed to `extractDocuments` (CSV column and delimiter, PDF pages, DOCX limits). */
  extract?: Omit<ExtractOptions, "maxBytes">;
  /** Limits of the extraction worker threads (pool size, queue, time, memory); see `createExtractionPool`. */
  extraction?: ExtractionLimits;
  /** Clock in milliseconds (tests move it to expire uploads). */
  now?: () => number;
  /** Quotas of relayed uploads (the node pays their gas): per contributor and per datanet over a window. */
  relayQuota?: RelayQuotaOptions;
};

/** Options with defaults filled in. */
export type ResolvedUploadOptions = Required<Omit<UploadOptions, "extract" | "extraction" | "relayQuota">> & {
  extract: Omit<ExtractOptions, "maxBytes">;
  extraction: ExtractionLimits;
  relayQuota: ResolvedRelayQuotaOptions;
};

/** State shared by every upload and curation service of one node context (one process per data directory). */
export type SharedUploadState = {
  /** Serializes writing blobs and deleting them, so a reference check and an unlink never interleave with a put. */
  blobLock: Mutex;
  /** Serializes transactions signed with the node's key (relayed batches, reviews, datanet creation). */
  nodeKeyLock: Mutex;
  /** Serializes recovery runs. */
  recoveryLock: Mutex;
  /** Uploads this process is storing right now: recovery must not roll them back. */
  active: Set<string>;
  nearDuplicates: NearDuplicateIndex;
  /** The extraction worker pool, started by the first upload (see {@link extractionPoolOf}). */
  extraction?: ExtractionPool;
};

/** What every upload operation receives. */
export type UploadDeps = {
  ctx: NodeContext;
  options: ResolvedUploadOptions;
  state: SharedUploadState;
};

const shared = new WeakMap<NodeContext, SharedUploadState>();

/**
 * The shared state of a node context, created on first use. Services created twice for the same context share
 * their locks, so two of them can never race each other for the node's nonce or a blob.
 *
 * @example
 * const { nodeKeyLock } = sharedUploadState(ctx);
 */
export function sharedUploadState(ctx: NodeContext): SharedUploadState {
  let state = shared.get(ctx);
  if (!state) {
    state = {
      blobLock: createMutex(),
      nodeKeyLock: createMutex(),
      recoveryLock: createMutex(),
      active: new Set(),
      nearDuplicates: createNearDuplicateIndex(ctx.db),
    };
    shared.set(ctx, state);
  }
  return state;
}

/**
 * Fills in the defaults of {@link UploadOptions}.
 *
 * @example
 * resolveUploadOptions({}).batchSize; // 100
 */
export function resolveUploadOptions(options: UploadOptions = {}): ResolvedUploadOptions {
  const batchSize = options.batchSize ?? 100;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 100)
    throw new RangeError(`batchSize must be an integer in 1..100, got ${batchSize}`);
  return {
    maxFileBytes: options.maxFileBytes ?? 32 * 1024 * 1024,
    maxFiles: options.maxFiles ?? 100,
    maxDocuments: options.maxDocuments ?? 10_000,
    batchSize,
    stagingTtlSeconds: options.stagingTtlSeconds ?? 3600,
    directTtlSeconds: options.directTtlSeconds ?? 86_400,
    nearDuplicateThreshold: options.nearDuplicateThreshold ?? 0.8,
    receiptTimeoutMs: options.receiptTimeoutMs ?? 60_000,
    extract: options.extract ?? {},
    extraction: options.extraction ?? {},
    now: options.now ?? Date.now,
    relayQuota: resolveRelayQuotaOptions(options.relayQuota),
  };
}

/**
 * The node's chain connection, or a 503 `NO_CHAIN` error.
 *
 * @example
 * const chain = requireChain(ctx);
 */
export function requireChain(ctx: NodeContext): ChainContext {
  if (!ctx.chain)
    throw new DatanetError(
      503,
      "NO_CHAIN",
      "this node has no chain connection",
      "Start the node with a chain (rpcUrl, deployment, account) to use datanets.",
    );
  return ctx.chain;
}

/**
 * The node context's extraction worker pool, created on first use with the limits of the service that first
 * needs it (one pool per process, so that extraction never takes more cores than configured).
 *
 * @example
 * const result = await extractionPoolOf(deps).extract("a.pdf", bytes, {});
 */
export function extractionPoolOf(deps: UploadDeps): ExtractionPool {
  deps.state.extraction ??= createExtractionPool(deps.options.extraction);
  return deps.state.extraction;
}
