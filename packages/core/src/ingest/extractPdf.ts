import { fail } from "./errors.ts";
import { normalizeText } from "./normalizeText.ts";
import type { FormatResult, ResolvedExtractOptions } from "./types.ts";

/**
 * PDF text through unpdf (pdf.js, serverless build: no worker, no canvas, no file or network access, runs on
 * bytes). Pages are joined with a blank line; the document is located as `pages 1-N`. A PDF that needs a
 * password is `PDF_ENCRYPTED` (one with an empty user password opens and is read as usual); a PDF with no text
 * at all (scanned pages, images) is `PDF_NO_TEXT`; one that pdf.js cannot parse is `PDF_CORRUPT`.
 */
/**
 * Loads pdf.js now rather than at the first PDF: an extraction worker calls it before it takes work, so that
 * its per-file time limit measures the file, not the loading of a large module.
 */
export async function preloadPdf(): Promise<void> {
  await import("unpdf");
}

export async function extractPdf(
  file: string,
  bytes: Uint8Array,
  opts: ResolvedExtractOptions,
): Promise<FormatResult> {
  // Loaded on first use: pdf.js is large and most uploads are not PDFs.
  const { getDocumentProxy, extractText } = await import("unpdf");
  let doc: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    // pdf.js may transfer (detach) the buffer it is given: hand it a copy so the caller keeps its bytes.
    doc = await getDocumentProxy(bytes.slice(), {
      verbosity: 0,
      isEvalSupported: false,
      stopAtErrors: false,
    });
  } catch (cause) {
    const name = cause instanceof Error ? cause.name : "";
    if (name === "PasswordException") {
      return fail(
        file,
        "PDF_ENCRYPTED",
        `${file} is an encrypted PDF that needs a password`,
        "Remove the password (e.g. qpdf --decrypt in.pdf out.pdf) and upload it again.",
        undefined,
        cause,
      );
    }
    const detail = cause instanceof Error ? cause.message : String(cause);
    return fail(
      file,
      "PDF_CORRUPT",
      `${file} is not a readable PDF: ${detail}`,
      "Open it in a PDF reader, save or print it to a new PDF and upload that.",
      undefined,
      cause,
    );
  }
  try {
    if (doc.numPages > opts.maxPdfPages) {
      return fail(
        file,
        "PDF_TOO_MANY_PAGES",
        `${file} has ${doc.numPages} pages, over the limit of ${opts.maxPdfPages}`,
        "Split the PDF into smaller files.",
      );
    }
    let pages: string[];
    try {
      pages = (await extractText(doc, { mergePages: false })).text;
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      return fail(
        file,
        "PDF_CORRUPT",
        `${file}: its text cannot be read: ${detail}`,
        "Open it in a PDF reader, save or print it to a new PDF and upload that.",
        undefined,
        cause,
      );
    }
    const text = normalizeText(pages.join("\n\n"));
    if (text === "") {
      return fail(
        file,
        "PDF_NO_TEXT",
        `${file} has no extractable text (${doc.numPages} page${doc.numPages === 1 ? "" : "s"} of images or scans)`,
        "Run OCR on it (e.g. ocrmypdf) or upload the text itself.",
      );
    }
    return {
      ok: true,
      documents: [
        { text, sourceName: file, locator: `pages 1-${doc.numPages}`, metadata: { pages: doc.numPages } },
      ],
    };
  } finally {
    await doc.destroy();
  }
}
