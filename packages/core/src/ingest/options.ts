import { invalidParameter } from "./errors.ts";
import type { ExtractOptions, ResolvedExtractOptions } from "./types.ts";

/** Default limits of `extractDocuments`. */
export const defaultExtractOptions: ResolvedExtractOptions = {
  maxBytes: 32 * 1024 * 1024,
  maxDocuments: 100_000,
  csvTextColumn: "text",
  csvDelimiter: ",",
  maxPdfPages: 2_000,
  docxMaxUncompressedBytes: 64 * 1024 * 1024,
  docxMaxEntries: 2_000,
};

/**
 * Fills in the defaults and checks the options; throws `INVALID_PARAMETER` (a programmer error) on a value that
 * can never work.
 *
 * @example
 * resolveExtractOptions({ maxBytes: 1_000_000 }).csvTextColumn; // "text"
 */
export function resolveExtractOptions(options: ExtractOptions): ResolvedExtractOptions {
  const resolved: ResolvedExtractOptions = { ...defaultExtractOptions };
  for (const [key, value] of Object.entries(options) as [keyof ExtractOptions, unknown][]) {
    if (value !== undefined) (resolved as Record<string, unknown>)[key] = value;
  }
  for (const key of [
    "maxBytes",
    "maxDocuments",
    "maxPdfPages",
    "docxMaxUncompressedBytes",
    "docxMaxEntries",
  ] as const) {
    const v = resolved[key];
    if (!Number.isSafeInteger(v) || v <= 0)
      invalidParameter(`${key} must be a positive integer, got ${v}`, "Fix the ingest options.");
  }
  if (resolved.csvTextColumn.length === 0)
    invalidParameter("csvTextColumn must not be empty", "Name the column that holds the text.");
  if (resolved.csvDelimiter.length !== 1)
    invalidParameter(
      `csvDelimiter must be one character, got ${JSON.stringify(resolved.csvDelimiter)}`,
      'Use e.g. "," or ";" or "\\t".',
    );
  return resolved;
}
