import type { NodeContext } from "../../context/NodeContext.ts";
import { type DatanetSettings, getDatanetSettings, setDatanetSettings } from "./datanetSettings.ts";
import { getUpload, type UploadView } from "./getUpload.ts";
import { type RecoverUploadsReturnType, recoverUploads } from "./recoverUploads.ts";
import { type StageUploadParameters, stageUpload } from "./stageUpload.ts";
import { type SubmitUploadParameters, submitUpload } from "./submitUpload.ts";
import {
  resolveUploadOptions,
  sharedUploadState,
  type UploadDeps,
  type UploadOptions,
} from "./uploadContext.ts";

/** The upload service of a node: stage, submit (relay), read and recover uploads; datanet upload settings. */
export type UploadService = {
  /** Validates, extracts, deduplicates and stores the files; returns the typed data to sign (relayed) or the calls to send (direct). */
  stageUpload(params: StageUploadParameters): Promise<UploadView>;
  /** Relays a staged upload with the contributor's batch signatures. */
  submitUpload(params: SubmitUploadParameters): Promise<UploadView>;
  getUpload(uploadId: string): Promise<UploadView | undefined>;
  /** Settles what a crash left: run at startup (idempotent, serialized). */
  recoverUploads(): Promise<RecoverUploadsReturnType>;
  getDatanetSettings(datanetId: bigint): Promise<DatanetSettings>;
  setDatanetSettings(datanetId: bigint, settings: DatanetSettings): Promise<void>;
  /** What the operations share (for the curation service and tests). */
  readonly deps: UploadDeps;
};

/**
 * Creates the upload service over a node context (datanets/upload; docs/datanets.md). Services created for the same
 * context share their locks (node key, blobs, recovery), so they never race each other.
 *
 * @example
 * const uploads = createUploadService(node.ctx);
 * await uploads.recoverUploads();
 * const staged = await uploads.stageUpload({ datanetId: 1n, contributor, files: [{ name: "a.txt", bytes }] });
 */
export function createUploadService(ctx: NodeContext, options: UploadOptions = {}): UploadService {
  const deps: UploadDeps = { ctx, options: resolveUploadOptions(options), state: sharedUploadState(ctx) };
  return {
    deps,
    stageUpload: (params) => stageUpload(deps, params),
    submitUpload: (params) => submitUpload(deps, params),
    getUpload: (id) => getUpload(deps, id),
    recoverUploads: () => recoverUploads(deps),
    getDatanetSettings: (datanetId) =>
      getDatanetSettings(ctx.db, datanetId, deps.options.nearDuplicateThreshold),
    setDatanetSettings: (datanetId, settings) => setDatanetSettings(ctx.db, datanetId, settings),
  };
}
