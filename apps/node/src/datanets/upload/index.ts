/** Uploads into datanets: staging, relaying, direct registration, crash recovery (docs/datanets.md). */
export { createUploadService, type UploadService } from "./createUploadService.ts";
export { type DatanetSettings, getDatanetSettings, setDatanetSettings } from "./datanetSettings.ts";
export { type ContributionMetadata, cidOfUri, documentCidOf, metadataUriOf } from "./documentBlobs.ts";
export { DatanetError, type DatanetErrorCode } from "./errors.ts";
export { failpoint, type UploadFailpoint } from "./failpoint.ts";
export type {
  DirectBatch,
  SigningBatch,
  UploadBatchView,
  UploadDocumentView,
  UploadView,
} from "./getUpload.ts";
export type { NearDuplicateFlag } from "./nearDuplicates.ts";
export type { RecoverUploadsReturnType } from "./recoverUploads.ts";
export {
  assertRelayEnabled,
  chargeRelayQuota,
  type RelayQuotaLimit,
  type RelayQuotaOptions,
  type ResolvedRelayQuotaOptions,
  resolveRelayQuotaOptions,
} from "./relayQuota.ts";
export type { StagedNearDuplicate, StageUploadParameters, UploadFile } from "./stageUpload.ts";
export type { SubmitUploadParameters } from "./submitUpload.ts";
export type { UploadOptions } from "./uploadContext.ts";
