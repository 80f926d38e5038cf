/**
 * Datanets: upload, curation, versions (publish, index, export) and their routes (DESIGN.md §4).
 * Append-only: each part adds its own exports below.
 */

// curation: pending contributions with near-duplicate flags and previews, node-key reviews
export * from "./curation/index.ts";
// export: a published version as JSONL + dataset card + provenance manifest
export {
  type ExportVersionParameters,
  type ExportVersionReturnType,
  exportVersion,
} from "./export/exportVersion.ts";
export { type RenderDatasetCardParameters, renderDatasetCard } from "./export/renderDatasetCard.ts";
export {
  type RenderVersionExportParameters,
  renderVersionExport,
  type VersionExport,
} from "./export/renderVersionExport.ts";
// publish: versions, their manifest and attribution index, crash recovery
export {
  type BuildManifestParameters,
  buildManifest,
  MANIFEST_SCHEMA,
  type ManifestContribution,
  type VersionManifest,
} from "./publish/buildManifest.ts";
export {
  type BuildVersionIndexParameters,
  type BuildVersionIndexReturnType,
  buildVersionIndex,
} from "./publish/buildVersionIndex.ts";
export {
  cidOfContentHash,
  collectVersionContents,
  type VersionDocument,
} from "./publish/collectVersionContents.ts";
export {
  completePublication,
  manifestUriOf,
  type Publication,
  publicationOf,
} from "./publish/completePublication.ts";
export { createPublishService, type PublishService } from "./publish/createPublishService.ts";
export { VersionError, type VersionErrorCode } from "./publish/errors.ts";
export { type FetchVersionIndexParameters, fetchVersionIndex } from "./publish/fetchVersionIndex.ts";
export { type IndexedVersionOutcome, indexPublishedVersions } from "./publish/indexPublishedVersions.ts";
export { manifestCidOf, parseManifest } from "./publish/parseManifest.ts";
export {
  type PublishVersionParameters,
  type PublishVersionReturnType,
  publishVersion,
} from "./publish/publishVersion.ts";
export { recordVersionIndex } from "./publish/recordVersionIndex.ts";
export { type RecoverPublicationsReturnType, recoverPublications } from "./publish/recoverPublications.ts";
// routes: the datanet HTTP API
export * from "./routes/index.ts";
// upload: staging, relaying, direct registration, crash recovery
export * from "./upload/index.ts";

// versions: HTTP routes (list, detail with manifest, publish, export)
export { type CreateVersionRoutesOptions, createVersionRoutes } from "./versions/createVersionRoutes.ts";
export { type GetVersionDetailReturnType, getVersionDetail } from "./versions/getVersionDetail.ts";
export { type ListVersionsReturnType, listVersions, type VersionSummary } from "./versions/listVersions.ts";
