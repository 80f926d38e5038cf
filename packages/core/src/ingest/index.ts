/**
 * Datanet ingest, the pure part: validate an uploaded file's bytes, extract its documents, normalize their
 * text, hash it, and find near duplicates. No fs, network or database (docs/ingest.md).
 */
export { type Bytes32, contentHash } from "./contentHash.ts";
export {
  createLshIndex,
  defaultLshParameters,
  type LshIndex,
  type LshParameters,
  lshCandidateProbability,
  type NearDuplicate,
} from "./createLshIndex.ts";
export {
  createMinHasher,
  defaultMinHashParameters,
  type MinHasher,
  type MinHasherParameters,
  wordHashes,
} from "./createMinHasher.ts";
export { type DecodeUtf8Result, decodeUtf8 } from "./decodeUtf8.ts";
export { IngestError, type IngestErrorCode, type IngestErrorJson } from "./errors.ts";
export { estimateJaccard } from "./estimateJaccard.ts";
export { extractDocuments, fileExtension } from "./extractDocuments.ts";
export { type WordXmlToTextResult, wordXmlToText } from "./extractDocx.ts";
export { preloadPdf } from "./extractPdf.ts";
export { normalizeText } from "./normalizeText.ts";
export { defaultExtractOptions, resolveExtractOptions } from "./options.ts";
export { type RenderJsonlRowResult, renderJsonlRow } from "./renderJsonlRow.ts";
export { signatureFromBytes, signatureToBytes } from "./signatureBytes.ts";
export { type SniffedKind, sniffBytes } from "./sniffBytes.ts";
export type {
  DocumentFormat,
  ExtractedDocument,
  ExtractOptions,
  ExtractResult,
  IngestFailure,
  JsonValue,
  ResolvedExtractOptions,
} from "./types.ts";
