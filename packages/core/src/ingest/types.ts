import type { IngestError } from "./errors.ts";

/** A JSON value, as kept in a document's metadata. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The formats ingest accepts, by file extension. */
export type DocumentFormat = "txt" | "md" | "jsonl" | "csv" | "pdf" | "docx";

/** One document extracted from an uploaded file: the unit that is hashed, deduplicated and registered. */
export type ExtractedDocument = {
  /** The document's text, already normalized with `normalizeText` (never empty). */
  text: string;
  /** The file name it came from, as given. */
  sourceName: string;
  /** Where in the file: `"file"`, `"line 12"` (JSONL), `"row 4"` (CSV), `"pages 1-3"` (PDF). */
  locator: string;
  /** What else the source said about the document: other JSONL fields, other CSV columns, PDF page count. */
  metadata: Record<string, JsonValue>;
};

/** Limits and format options of `extractDocuments`; every field has a default. */
export type ExtractOptions = {
  /** Largest accepted file, in bytes. Default 32 MiB. */
  maxBytes?: number;
  /** Most documents one file may yield (JSONL rows, CSV rows). Default 100,000. */
  maxDocuments?: number;
  /** Name of the CSV column that holds the text. Default `"text"`. */
  csvTextColumn?: string;
  /** CSV field delimiter (one character). Default `","`. */
  csvDelimiter?: string;
  /** Most pages read from one PDF. Default 2,000. */
  maxPdfPages?: number;
  /** Most bytes a DOCX may inflate to, all entries together (declared and actual). Default 64 MiB. */
  docxMaxUncompressedBytes?: number;
  /** Most entries a DOCX archive may have. Default 2,000. */
  docxMaxEntries?: number;
};

/** `extractDocuments` options with every default filled in. */
export type ResolvedExtractOptions = Required<ExtractOptions>;

/** The failure side of every ingest result. */
export type IngestFailure = { ok: false; error: IngestError };

/** The result of `extractDocuments`: expected failures are returned, not thrown. */
export type ExtractResult =
  | { ok: true; format: DocumentFormat; documents: ExtractedDocument[] }
  | IngestFailure;

/** What a format extractor returns: documents, or the error (the dispatcher adds nothing). */
export type FormatResult = { ok: true; documents: ExtractedDocument[] } | IngestFailure;
