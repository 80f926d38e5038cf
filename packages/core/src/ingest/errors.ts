import { TributaryError } from "../errors/TributaryError.ts";
import type { IngestFailure } from "./types.ts";

/**
 * Stable codes of {@link IngestError}. The HTTP layer, the CLI and the docs (docs/ingest.md) key on these;
 * never rename one, only add.
 */
export type IngestErrorCode =
  | "UNSUPPORTED_EXTENSION"
  | "WRONG_EXTENSION"
  | "FILE_TOO_LARGE"
  | "EMPTY_FILE"
  | "EMPTY_DOCUMENT"
  | "TOO_MANY_DOCUMENTS"
  | "INVALID_UTF8"
  | "JSONL_MALFORMED_LINE"
  | "JSONL_UNKNOWN_SHAPE"
  | "CSV_MALFORMED"
  | "CSV_MISSING_COLUMN"
  | "PDF_ENCRYPTED"
  | "PDF_NO_TEXT"
  | "PDF_TOO_MANY_PAGES"
  | "PDF_CORRUPT"
  | "DOCX_ENCRYPTED"
  | "DOCX_ZIP_BOMB"
  | "DOCX_UNSAFE_PATH"
  | "DOCX_CORRUPT"
  | "INVALID_PARAMETER";

/** Plain-data form of an {@link IngestError}, as it goes into a JSON response. */
export type IngestErrorJson = {
  code: IngestErrorCode;
  message: string;
  hint: string;
  file: string;
  line?: number;
};

/**
 * The one error type of ingest: which `file` (and 1-based `line`, when a line is to blame) broke which rule.
 * Extraction returns it inside `{ ok: false, error }`; it is thrown only for programmer errors
 * (`INVALID_PARAMETER`). Retrying with the same bytes gives the same error (`retryable: false`).
 *
 * @example
 * const result = await extractDocuments("notes.txt", bytes);
 * if (!result.ok) console.error(`${result.error.code}: ${result.error.message} (${result.error.hint})`);
 */
export class IngestError extends TributaryError {
  override readonly name = "IngestError";
  /** Stable machine-readable code. */
  declare readonly code: IngestErrorCode;
  /** What the uploader should do about it. */
  declare readonly hint: string;
  /** The file name as it was given to the extractor. */
  readonly file: string;
  /** 1-based line of the file the error is about, when there is one. */
  readonly line: number | undefined;

  /** Retrying with the same input gives the same error (`retryable` is false). */
  constructor(
    code: IngestErrorCode,
    args: { file: string; message: string; hint: string; line?: number | undefined; cause?: unknown },
  ) {
    super(args.message, { code, hint: args.hint, cause: args.cause });
    this.file = args.file;
    this.line = args.line;
  }

  /** The error as plain data (`JSON.stringify` calls this), without the cause. */
  toJSON(): IngestErrorJson {
    const json: IngestErrorJson = {
      code: this.code,
      message: this.message,
      hint: this.hint,
      file: this.file,
    };
    if (this.line !== undefined) json.line = this.line;
    return json;
  }
}

/** Throws `INVALID_PARAMETER`: a caller passed options that can never work (a bug, not a bad upload). */
export function invalidParameter(message: string, hint: string): never {
  throw new IngestError("INVALID_PARAMETER", { file: "", message, hint });
}

/** Builds the failure result `{ ok: false, error }` for `file` breaking rule `code`. */
export function fail(
  file: string,
  code: IngestErrorCode,
  message: string,
  hint: string,
  line?: number,
  cause?: unknown,
): IngestFailure {
  return { ok: false, error: new IngestError(code, { file, message, hint, line, cause }) };
}
