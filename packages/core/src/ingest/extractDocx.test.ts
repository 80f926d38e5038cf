import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { extractDocuments } from "./extractDocuments.ts";
import { wordXmlToText } from "./extractDocx.ts";
import { crc32, openZip, unsafeEntryName } from "./readZip.ts";
import type { ExtractResult } from "./types.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const W =
  'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"';
const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;
const RELS = `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`;

function documentXml(body: string): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document ${W}><w:body>${body}<w:sectPr/></w:body></w:document>`;
}

/** A real DOCX package (content types, package relationships, main part), zipped with fflate. */
function buildDocx(body: string, extra: Record<string, Uint8Array> = {}): Uint8Array {
  return zipSync({
    "[Content_Types].xml": utf8(CONTENT_TYPES),
    "_rels/.rels": utf8(RELS),
    "word/document.xml": utf8(documentXml(body)),
    ...extra,
  });
}

const para = (...runs: string[]): string =>
  `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>${runs.join("")}</w:p>`;
const run = (text: string): string =>
  `<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">${text}</w:t></w:r>`;

/** Offset of the central directory record of `name`. */
function centralEntryOffset(zip: Uint8Array, name: string): number {
  const needle = utf8(name);
  for (let i = 0; i < zip.length - 46; i++) {
    if (zip[i] === 0x50 && zip[i + 1] === 0x4b && zip[i + 2] === 0x01 && zip[i + 3] === 0x02) {
      const len = zip[i + 28]! | (zip[i + 29]! << 8);
      if (len === needle.length && needle.every((b, k) => zip[i + 46 + k] === b)) return i;
    }
  }
  throw new Error(`no central entry ${name}`);
}

function setU32(b: Uint8Array, at: number, v: number): void {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
}

function docs(result: ExtractResult) {
  if (!result.ok) throw result.error;
  return result.documents;
}

function error(result: ExtractResult) {
  if (result.ok) throw new Error("expected an error");
  return result.error;
}

describe("extractDocuments: .docx", () => {
  it("test_docx_paragraphsRunsTabsBreaksEntities", async () => {
    const body = [
      para(run("Title &amp; more")),
      para(
        run("a"),
        "<w:r><w:tab/></w:r>",
        run("b"),
        "<w:r><w:br/></w:r>",
        run("c &lt;d&gt; &#233;&#x20AC;"),
      ),
      `<w:tbl><w:tr><w:tc>${para(run("cell"))}</w:tc></w:tr></w:tbl>`,
      para(
        "<w:del><w:r><w:delText>deleted</w:delText></w:r></w:del>",
        run("kept"),
        "<w:r><w:instrText> PAGE </w:instrText></w:r>",
      ),
      `<w:p><w:r><mc:AlternateContent><mc:Choice Requires="wps">${run("box")}</mc:Choice><mc:Fallback>${run("box")}</mc:Fallback></mc:AlternateContent></w:r></w:p>`,
      "<w:p/>",
    ].join("");
    expect(docs(await extractDocuments("report.docx", buildDocx(body)))).toEqual([
      {
        text: "Title & more\na\tb\nc <d> é€\ncell\nkept\nbox",
        sourceName: "report.docx",
        locator: "file",
        metadata: {},
      },
    ]);
  });

  it("test_docx_mainPartFromContentTypes", async () => {
    const types = CONTENT_TYPES.replace("/word/document.xml", "/word/main2.xml");
    const zip = zipSync({
      "[Content_Types].xml": utf8(types),
      "word/main2.xml": utf8(documentXml(para(run("renamed part")))),
    });
    expect(docs(await extractDocuments("x.docx", zip))[0]!.text).toBe("renamed part");
  });

  it("test_docx_zipBomb_declaredSizeOverLimit_refusedBeforeInflating", async () => {
    const zeros = new Uint8Array(4 * 1024 * 1024);
    const zip = buildDocx(para(run("x")), { "word/media/bomb.bin": zeros });
    expect(zip.length).toBeLessThan(64 * 1024);
    const e = error(await extractDocuments("bomb.docx", zip, { docxMaxUncompressedBytes: 1024 * 1024 }));
    expect(e.code).toBe("DOCX_ZIP_BOMB");
    // A declared size of 4 GiB over garbage data: refused as a bomb, which proves nothing was inflated first.
    const lie = buildDocx(para(run("x")));
    setU32(lie, centralEntryOffset(lie, "word/document.xml") + 24, 0xfffffff0);
    expect(error(await extractDocuments("lie.docx", lie)).code).toBe("DOCX_ZIP_BOMB");
  });

  it("test_docx_zipBomb_inflatingPastTheDeclaredSize_stops", async () => {
    const big = para(run("y".repeat(3_000_000)));
    const zip = buildDocx(big);
    setU32(zip, centralEntryOffset(zip, "word/document.xml") + 24, 10_000); // claims 10 kB, inflates to 3 MB
    const e = error(await extractDocuments("liar.docx", zip));
    expect(e.code).toBe("DOCX_ZIP_BOMB");
    expect(e.message).toContain("past its declared size");
  });

  it("test_docx_tooManyEntries", async () => {
    const extra = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`word/media/${i}.bin`, new Uint8Array([i])]),
    );
    const zip = buildDocx(para(run("x")), extra);
    expect(error(await extractDocuments("many.docx", zip, { docxMaxEntries: 20 })).code).toBe(
      "DOCX_ZIP_BOMB",
    );
    expect(docs(await extractDocuments("many.docx", zip, { docxMaxEntries: 50 }))).toHaveLength(1);
  });

  it("test_docx_pathTraversalAndAbsoluteNames_refused", async () => {
    for (const name of ["../evil.xml", "word/../../evil.xml", "/etc/passwd", "C:/x.xml", "word\\..\\x.xml"]) {
      const zip = buildDocx(para(run("x")), { [name]: utf8("x") });
      const e = error(await extractDocuments("slip.docx", zip));
      expect(e.code).toBe("DOCX_UNSAFE_PATH");
      expect(e.message).toContain(JSON.stringify(name));
    }
    expect(unsafeEntryName("word/..foo/x.xml")).toBeUndefined();
  });

  it("test_docx_corruptArchives", async () => {
    const zip = buildDocx(para(run("some text that is long enough to be deflated ".repeat(20))));
    expect(error(await extractDocuments("cut.docx", zip.slice(0, zip.length - 30))).code).toBe(
      "DOCX_CORRUPT",
    );
    expect(error(await extractDocuments("head.docx", zip.slice(0, 200))).code).toBe("DOCX_CORRUPT");
    const flipped = zip.slice();
    const at = centralEntryOffset(flipped, "word/document.xml");
    const local = flipped[at + 42]! | (flipped[at + 43]! << 8) | (flipped[at + 44]! << 16);
    flipped[local + 30 + "word/document.xml".length + 20]! ^= 0xff; // damage the deflate stream
    expect(error(await extractDocuments("flip.docx", flipped)).code).toBe("DOCX_CORRUPT");
    const badCrc = zip.slice();
    setU32(badCrc, centralEntryOffset(badCrc, "word/document.xml") + 16, 0x12345678);
    expect(error(await extractDocuments("crc.docx", badCrc)).message).toContain("CRC-32");
    const withDtd = zipSync({
      "[Content_Types].xml": utf8(CONTENT_TYPES),
      "word/document.xml": utf8('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><w:document/>'),
    });
    expect(error(await extractDocuments("dtd.docx", withDtd)).code).toBe("DOCX_CORRUPT");
  });

  it("test_docx_encryptedOrLegacyOle2", async () => {
    const ole = (withEncryption: boolean): Uint8Array => {
      const b = new Uint8Array(1536);
      b.set([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
      if (withEncryption)
        b.set(Uint8Array.from([..."EncryptedPackage"].flatMap((c) => [c.charCodeAt(0), 0])), 1024);
      return b;
    };
    expect(error(await extractDocuments("locked.docx", ole(true))).code).toBe("DOCX_ENCRYPTED");
    const legacy = error(await extractDocuments("old.docx", ole(false)));
    expect(legacy.code).toBe("WRONG_EXTENSION");
    expect(legacy.message).toContain(".doc");
  });

  it("test_docx_zipThatIsNotWord_isWrongExtension", async () => {
    const xlsx = zipSync({ "[Content_Types].xml": utf8("<Types/>"), "xl/workbook.xml": utf8("<workbook/>") });
    expect(error(await extractDocuments("sheet.docx", xlsx)).code).toBe("WRONG_EXTENSION");
  });

  it("test_docx_noText_isEmptyDocument", async () => {
    expect(error(await extractDocuments("blank.docx", buildDocx("<w:p/><w:p/>"))).code).toBe(
      "EMPTY_DOCUMENT",
    );
  });

  it("test_openZip_readsWhatFflateWrote", () => {
    const data = utf8("hello zip");
    const zip = zipSync({ "a/b.txt": data, "c.txt": new Uint8Array(0) });
    const opened = openZip(zip, { maxEntries: 10, maxUncompressedBytes: 100 });
    if (!opened.ok) throw new Error(opened.message);
    expect(opened.entries.map((e) => [e.name, e.uncompressedSize, e.crc32])).toEqual([
      ["a/b.txt", 9, crc32(data)],
      ["c.txt", 0, 0],
    ]);
    expect(crc32(utf8("123456789"))).toBe(0xcbf43926); // the CRC-32 check value
  });

  it("test_wordXmlToText_refusesUnbalancedOrUnterminated", () => {
    expect(wordXmlToText("<w:p><w:r><w:t>x</w:t></w:r></w:p>")).toEqual({ ok: true, text: "x\n" });
    expect(wordXmlToText("<w:t>x</w:t></w:t>").ok).toBe(false);
    expect(wordXmlToText("<w:t>x<!-- open").ok).toBe(false);
    expect(wordXmlToText("<w:t>x</w:t").ok).toBe(false);
  });
});
