import { decodeUtf8 } from "./decodeUtf8.ts";
import { fail } from "./errors.ts";
import { extractCsv } from "./extractCsv.ts";
import { extractDocx } from "./extractDocx.ts";
import { extractJsonl } from "./extractJsonl.ts";
import { extractPdf } from "./extractPdf.ts";
import { normalizeText } from "./normalizeText.ts";
import { resolveExtractOptions } from "./options.ts";
import { type SniffedKind, sniffBytes, sniffedKindNames } from "./sniffBytes.ts";
import type { DocumentFormat, ExtractOptions, ExtractResult, FormatResult } from "./types.ts";

const formats: Record<string, DocumentFormat> = {
  txt: "txt",
  text: "txt",
  md: "md",
  markdown: "md",
  jsonl: "jsonl",
  csv: "csv",
  pdf: "pdf",
  docx: "docx",
};

/** The sniffed kinds each format accepts. */
const acceptedKinds: Record<DocumentFormat, readonly SniffedKind[]> = {
  txt: ["text"],
  md: ["text"],
  jsonl: ["text"],
  csv: ["text"],
  pdf: ["pdf"],
  docx: ["zip", "ole2"],
};

/** The lowercase extension of a file name (after the last dot of its last path segment), or `""`. */
export function fileExtension(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf("/"), fileName.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1).toLowerCase();
}

/**
 * Validates one uploaded file and extracts its documents, without any I/O: the bytes in, typed documents or one
 * typed error out. Rules, in order: a known extension; not over `maxBytes`; not empty; bytes that match the
 * extension (magic numbers); strict UTF-8 for the text formats; then the format's own rules (see docs/ingest.md).
 * Every document's text is normalized with {@link normalizeText} and never empty. One bad row refuses the whole
 * file, so that an upload is all or nothing.
 *
 * - `.txt`, `.text`, `.md`, `.markdown`: one document per file.
 * - `.jsonl`: one document per non-blank line: `{text}`, `{instruction, input?, output|response}` or
 *   `{messages: [{role, content}]}` (see `renderJsonlRow`); other fields go to metadata.
 * - `.csv`: one document per row, text from the column `csvTextColumn`; other columns go to metadata.
 * - `.pdf`: one document, the text of all pages; encrypted and image-only PDFs are refused.
 * - `.docx`: one document, the paragraphs of the main document part; zip bombs and unsafe paths are refused.
 *
 * @example
 * const result = await extractDocuments("faq.jsonl", bytes, { maxBytes: 10_000_000 });
 * if (result.ok) for (const d of result.documents) console.log(d.locator, contentHash(d.text));
 * else console.log(result.error.code, result.error.line); // e.g. "JSONL_MALFORMED_LINE", 7
 */
export async function extractDocuments(
  fileName: string,
  bytes: Uint8Array,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const opts = resolveExtractOptions(options);
  const ext = fileExtension(fileName);
  const format = formats[ext];
  if (format === undefined) {
    return fail(
      fileName,
      "UNSUPPORTED_EXTENSION",
      ext === "" ? `${fileName} has no file extension` : `.${ext} files are not accepted`,
      "Upload .txt, .md, .jsonl, .csv, .pdf or .docx files.",
    );
  }
  if (bytes.length > opts.maxBytes) {
    return fail(
      fileName,
      "FILE_TOO_LARGE",
      `${fileName} is ${bytes.length} bytes, over the limit of ${opts.maxBytes} bytes`,
      "Split the file into smaller files.",
    );
  }
  if (bytes.length === 0) {
    return fail(fileName, "EMPTY_FILE", `${fileName} is empty (0 bytes)`, "Upload a file with content.");
  }
  const kind = sniffBytes(bytes);
  if (!acceptedKinds[format].includes(kind)) {
    if (kind === "utf16" && acceptedKinds[format].includes("text")) {
      return fail(
        fileName,
        "INVALID_UTF8",
        `${fileName} is UTF-16 text (it starts with a UTF-16 byte-order mark)`,
        "Save the file as UTF-8.",
        1,
      );
    }
    return fail(
      fileName,
      "WRONG_EXTENSION",
      `${fileName} is named .${ext} but its bytes are ${sniffedKindNames[kind]}`,
      `Give the file the extension of what it is, or export it as .${ext}.`,
    );
  }

  let result: FormatResult;
  switch (format) {
    case "pdf":
      result = await extractPdf(fileName, bytes, opts);
      break;
    case "docx":
      result = extractDocx(fileName, bytes, opts);
      break;
    case "txt":
    case "md":
    case "jsonl":
    case "csv": {
      const decoded = decodeUtf8(bytes);
      if (!decoded.ok) {
        return fail(
          fileName,
          "INVALID_UTF8",
          `${fileName} is not valid UTF-8: ${decoded.reason}, line ${decoded.line}`,
          "Save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8).",
          decoded.line,
        );
      }
      if (format === "jsonl") result = extractJsonl(fileName, decoded.text, opts);
      else if (format === "csv") result = extractCsv(fileName, decoded.text, opts);
      else {
        const text = normalizeText(decoded.text);
        result =
          text === ""
            ? fail(
                fileName,
                "EMPTY_DOCUMENT",
                `${fileName} contains only whitespace`,
                "Upload a file with text.",
              )
            : { ok: true, documents: [{ text, sourceName: fileName, locator: "file", metadata: {} }] };
      }
      break;
    }
  }
  return result.ok ? { ok: true, format, documents: result.documents } : result;
}
