import { fail } from "./errors.ts";
import { normalizeText } from "./normalizeText.ts";
import { renderJsonlRow } from "./renderJsonlRow.ts";
import type { ExtractedDocument, FormatResult, JsonValue, ResolvedExtractOptions } from "./types.ts";

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` holds a lone UTF-16 surrogate (which `JSON.parse` lets through from `\uD800` escapes). */
export function hasLoneSurrogate(text: string): boolean {
  return loneSurrogate.test(text);
}

const knownShapes =
  'Each line must be a JSON object with "text", or "instruction" + "output", or "messages".';

/**
 * JSON Lines: one document per non-blank line (blank lines are skipped, CRLF accepted). A line that does not
 * parse, a row of no known shape, a row whose text is blank, or a string with a lone surrogate refuses the
 * file with the 1-based line number.
 */
export function extractJsonl(file: string, text: string, opts: ResolvedExtractOptions): FormatResult {
  const documents: ExtractedDocument[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    if (raw.trim() === "") continue;
    const lineNo = i + 1;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      return fail(
        file,
        "JSONL_MALFORMED_LINE",
        `${file} line ${lineNo} is not valid JSON: ${detail}`,
        "Put exactly one JSON object on each line.",
        lineNo,
        cause,
      );
    }
    const rendered = renderJsonlRow(row);
    if (!rendered.ok) {
      return fail(
        file,
        "JSONL_UNKNOWN_SHAPE",
        `${file} line ${lineNo}: ${rendered.reason}`,
        knownShapes,
        lineNo,
      );
    }
    if (hasLoneSurrogate(rendered.text)) {
      return fail(
        file,
        "INVALID_UTF8",
        `${file} line ${lineNo} contains a lone UTF-16 surrogate (a \\uD800-\\uDFFF escape without its pair)`,
        "Fix the JSON string escapes so that they encode valid Unicode.",
        lineNo,
      );
    }
    const normalized = normalizeText(rendered.text);
    if (normalized === "") {
      return fail(
        file,
        "EMPTY_DOCUMENT",
        `${file} line ${lineNo}: the ${rendered.shape} row has no text`,
        "Remove the row or give it text.",
        lineNo,
      );
    }
    if (documents.length >= opts.maxDocuments) {
      return fail(
        file,
        "TOO_MANY_DOCUMENTS",
        `${file} has more than ${opts.maxDocuments} rows`,
        "Split the file into smaller files.",
        lineNo,
      );
    }
    const metadata: Record<string, JsonValue> = {};
    for (const [key, value] of Object.entries(row as Record<string, JsonValue>)) {
      if (!rendered.consumed.includes(key)) metadata[key] = value;
    }
    documents.push({ text: normalized, sourceName: file, locator: `line ${lineNo}`, metadata });
  }
  if (documents.length === 0)
    return fail(
      file,
      "EMPTY_DOCUMENT",
      `${file} has no rows (only blank lines)`,
      "Upload a file with at least one row.",
    );
  return { ok: true, documents };
}
