import { readFileSync } from "node:fs";
import { getDocumentProxy } from "unpdf";
import { describe, expect, it } from "vitest";
import { extractDocuments } from "./extractDocuments.ts";
import { buildPdf } from "./testdata/buildPdf.ts";
import type { ExtractResult } from "./types.ts";

const fixture = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`./testdata/${name}`, import.meta.url)));

function docs(result: ExtractResult) {
  if (!result.ok) throw result.error;
  return result.documents;
}

function error(result: ExtractResult) {
  if (result.ok) throw new Error("expected an error");
  return result.error;
}

describe("extractDocuments: .pdf", () => {
  it("test_pdf_textOfAllPages_oneDocument", async () => {
    const pdf = buildPdf({ pages: [["Hello (PDF) world", "Second line"], ["Page two"]] });
    expect(docs(await extractDocuments("paper.pdf", pdf))).toEqual([
      {
        text: "Hello (PDF) world\nSecond line\n\nPage two",
        sourceName: "paper.pdf",
        locator: "pages 1-2",
        metadata: { pages: 2 },
      },
    ]);
    expect(pdf[0]).toBe(0x25); // the caller's buffer is not detached by pdf.js
  });

  it("test_pdf_realProducer_objectStreamsAndOwnerOnlyEncryption", async () => {
    for (const name of ["qpdf-objstreams.pdf", "qpdf-aes256-owner-only.pdf"]) {
      expect(docs(await extractDocuments(name, fixture(name)))[0]!.text).toBe(
        "Hello (PDF) world\nSecond line\n\nPage two",
      );
    }
  });

  it("test_pdf_passwordProtected_isEncrypted", async () => {
    const aes = error(await extractDocuments("aes.pdf", fixture("qpdf-aes256.pdf")));
    expect(aes.code).toBe("PDF_ENCRYPTED");
    expect(aes.hint).toContain("password");

    const rc4 = buildPdf({ pages: [["Secret text"]], userPassword: "s3cret" });
    expect(error(await extractDocuments("rc4.pdf", rc4)).code).toBe("PDF_ENCRYPTED");
    // The fixture is real encryption: with its password pdf.js opens it.
    const opened = await getDocumentProxy(rc4.slice(), { password: "s3cret", verbosity: 0 });
    expect(opened.numPages).toBe(1);
    await opened.destroy();
  });

  it("test_pdf_imagesOnly_hasNoText", async () => {
    const e = error(await extractDocuments("scan.pdf", buildPdf({ pages: [null, null] })));
    expect(e.code).toBe("PDF_NO_TEXT");
    expect(e.message).toContain("2 pages");
    expect(e.hint).toContain("OCR");
  });

  it("test_pdf_corrupt", async () => {
    const pdf = buildPdf({ pages: [["Hello"]] });
    expect(error(await extractDocuments("cut.pdf", pdf.slice(0, 120))).code).toBe("PDF_CORRUPT");
    const junk = new TextEncoder().encode("%PDF-1.7\nthis is not a pdf at all\n");
    expect(error(await extractDocuments("junk.pdf", junk)).code).toBe("PDF_CORRUPT");
  });

  it("test_pdf_overMaxPages", async () => {
    const pdf = buildPdf({ pages: [["one"], ["two"], ["three"]] });
    expect(error(await extractDocuments("long.pdf", pdf, { maxPdfPages: 2 })).code).toBe(
      "PDF_TOO_MANY_PAGES",
    );
    expect(docs(await extractDocuments("long.pdf", pdf, { maxPdfPages: 3 }))).toHaveLength(1);
  });
});
