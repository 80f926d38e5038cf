import { CsvError, parse } from "csv-parse/sync";
import { fail } from "./errors.ts";
import { hasLoneSurrogate } from "./extractJsonl.ts";
import { normalizeText } from "./normalizeText.ts";
import type { ExtractedDocument, FormatResult, JsonValue, ResolvedExtractOptions } from "./types.ts";

type Parsed = { record: string[]; info: { lines: number; raw?: string } };

/**
 * CSV (RFC 4180 as csv-parse reads it: quoted fields may hold delimiters, quotes `""` and newlines). The first
 * record is the header; the text comes from the column named `csvTextColumn` (matched after trimming the
 * header cell), every other column goes to metadata by header name. Empty lines are skipped; every record must
 * have as many fields as the header. One document per row, located as `row N` (1 = first row after the header).
 */
export function extractCsv(file: string, text: string, opts: ResolvedExtractOptions): FormatResult {
  let parsed: Parsed[];
  try {
    // Line endings are unified first (as normalization would do to the cells anyway), so that a file mixing
    // CRLF and LF still parses and line numbers count every kind of line ending.
    parsed = parse(text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text, {
      delimiter: opts.csvDelimiter,
      bom: true,
      info: true,
      raw: true,
      skip_empty_lines: true,
      relax_column_count: false,
      record_delimiter: "\n",
    }) as unknown as Parsed[];
  } catch (cause) {
    const line = cause instanceof CsvError && typeof cause.lines === "number" ? cause.lines : undefined;
    const detail = cause instanceof Error ? cause.message : String(cause);
    return fail(
      file,
      "CSV_MALFORMED",
      `${file} is not valid CSV: ${detail}`,
      'Quote fields that contain the delimiter, quotes ("") or newlines, and give every row as many fields as the header.',
      line,
      cause,
    );
  }
  const header = parsed[0];
  if (header === undefined)
    return fail(file, "EMPTY_DOCUMENT", `${file} has no header row`, "Upload a CSV with a header and rows.");
  const columns = header.record.map((c) => c.trim());
  const textIndex = columns.indexOf(opts.csvTextColumn);
  if (textIndex < 0) {
    return fail(
      file,
      "CSV_MISSING_COLUMN",
      `${file} has no column "${opts.csvTextColumn}" (columns found: ${columns.map((c) => JSON.stringify(c)).join(", ")})`,
      `Name the text column "${opts.csvTextColumn}" in the header, or choose the column with the csvTextColumn option.`,
      1,
    );
  }
  if (columns.indexOf(opts.csvTextColumn, textIndex + 1) >= 0) {
    return fail(
      file,
      "CSV_MALFORMED",
      `${file} has the column "${opts.csvTextColumn}" twice`,
      "Give every column a distinct name.",
      1,
    );
  }
  if (parsed.length - 1 > opts.maxDocuments) {
    return fail(
      file,
      "TOO_MANY_DOCUMENTS",
      `${file} has ${parsed.length - 1} rows, over the limit of ${opts.maxDocuments}`,
      "Split the file into smaller files.",
    );
  }
  const documents: ExtractedDocument[] = [];
  for (let r = 1; r < parsed.length; r++) {
    const { record, info } = parsed[r]!;
    // info.lines is the line the record ends on; a record with quoted newlines started that many lines earlier.
    const rawBody = (info.raw ?? "").replace(/\n$/, "");
    const line = info.lines - (rawBody.match(/\n/g)?.length ?? 0);
    const cell = record[textIndex] ?? "";
    if (hasLoneSurrogate(cell)) {
      return fail(
        file,
        "INVALID_UTF8",
        `${file} row ${r} contains a lone UTF-16 surrogate`,
        "Save the file as valid UTF-8.",
        line,
      );
    }
    const normalized = normalizeText(cell);
    if (normalized === "") {
      return fail(
        file,
        "EMPTY_DOCUMENT",
        `${file} row ${r} (line ${line}) has an empty "${opts.csvTextColumn}" cell`,
        "Remove the row or give it text.",
        line,
      );
    }
    const metadata: Record<string, JsonValue> = {};
    record.forEach((value, i) => {
      if (i !== textIndex) metadata[columns[i] || `column${i + 1}`] = value;
    });
    documents.push({ text: normalized, sourceName: file, locator: `row ${r}`, metadata });
  }
  if (documents.length === 0)
    return fail(file, "EMPTY_DOCUMENT", `${file} has a header but no rows`, "Add at least one row.");
  return { ok: true, documents };
}
