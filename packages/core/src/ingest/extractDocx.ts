import { fail } from "./errors.ts";
import { normalizeText } from "./normalizeText.ts";
import { inflateZipEntry, openZip, type ZipEntry } from "./readZip.ts";
import type { FormatResult, ResolvedExtractOptions } from "./types.ts";

const MAIN_CONTENT_TYPES = [
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
  "application/vnd.ms-word.document.macroEnabled.main+xml",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
  "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
];

/** `"EncryptedPackage"` in UTF-16LE: the stream an encrypted OOXML file keeps inside its OLE2 container. */
const ENCRYPTED_PACKAGE = new Uint8Array([..."EncryptedPackage"].flatMap((c) => [c.charCodeAt(0), 0]));

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0]!;
  for (
    let i = haystack.indexOf(first);
    i >= 0 && i <= haystack.length - needle.length;
    i = haystack.indexOf(first, i + 1)
  ) {
    let k = 1;
    while (k < needle.length && haystack[i + k] === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the five XML entities and numeric character references; anything else is left as written. */
function decodeXmlText(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
    if (ref[0] === "#") {
      const cp = ref[1] === "x" ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : whole;
    }
    return ENTITIES[ref] ?? whole;
  });
}

/** The result of {@link wordXmlToText}. */
export type WordXmlToTextResult = { ok: true; text: string } | { ok: false; reason: string };

/**
 * The text of a WordprocessingML part: the characters of `<w:t>` runs, `\t` for `<w:tab/>` and `\n` for
 * `<w:br/>`/`<w:cr/>` inside a run, `\n` after each paragraph. Deleted text (`w:delText`), field codes
 * (`w:instrText`) and `mc:Fallback` copies (which repeat text boxes) are left out. Any DTD is refused, so no
 * entity expansion (billion laughs, external entities) can happen. Linear scan, no XML library.
 *
 * @example
 * wordXmlToText('<w:p><w:r><w:t>Hi</w:t></w:r></w:p>'); // { ok: true, text: "Hi\n" }
 */
export function wordXmlToText(xml: string): WordXmlToTextResult {
  const out: string[] = [];
  let inText = 0;
  let inRun = 0;
  let inFallback = 0;
  let i = 0;
  while (i < xml.length) {
    const lt = xml.indexOf("<", i);
    if (lt < 0) break;
    if (inText > 0 && inFallback === 0 && lt > i) out.push(decodeXmlText(xml.slice(i, lt)));
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end < 0) return { ok: false, reason: "an unterminated XML comment" };
      i = end + 3;
      continue;
    }
    if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt + 9);
      if (end < 0) return { ok: false, reason: "an unterminated CDATA section" };
      if (inText > 0 && inFallback === 0) out.push(xml.slice(lt + 9, end));
      i = end + 3;
      continue;
    }
    if (xml.startsWith("<!", lt))
      return { ok: false, reason: "a DTD or declaration (<!DOCTYPE …>), which a Word document never has" };
    const gt = xml.indexOf(">", lt + 1);
    if (gt < 0) return { ok: false, reason: "an unterminated XML tag" };
    i = gt + 1;
    if (xml[lt + 1] === "?") continue;
    const closing = xml[lt + 1] === "/";
    const selfClosing = xml[gt - 1] === "/";
    let nameEnd = lt + (closing ? 2 : 1);
    while (nameEnd < gt && !" \t\r\n/".includes(xml[nameEnd]!)) nameEnd++;
    const qname = xml.slice(lt + (closing ? 2 : 1), nameEnd);
    const local = qname.slice(qname.indexOf(":") + 1);
    if (qname === "mc:Fallback") {
      if (!selfClosing) inFallback += closing ? -1 : 1;
      continue;
    }
    switch (local) {
      case "t":
        if (!selfClosing) inText += closing ? -1 : 1;
        break;
      case "r":
        if (!selfClosing) inRun += closing ? -1 : 1;
        break;
      case "p":
        if ((closing || selfClosing) && inFallback === 0) out.push("\n");
        break;
      case "tab":
        if (inRun > 0 && inFallback === 0 && !closing) out.push("\t");
        break;
      case "br":
      case "cr":
        if (inRun > 0 && inFallback === 0 && !closing) out.push("\n");
        break;
    }
    if (inText < 0 || inRun < 0 || inFallback < 0) return { ok: false, reason: "unbalanced XML tags" };
  }
  return { ok: true, text: out.join("") };
}

/** The main document part named in `[Content_Types].xml`, else `word/document.xml` if present. */
function findMainPart(contentTypes: string | undefined, byName: Map<string, ZipEntry>): ZipEntry | undefined {
  if (contentTypes !== undefined) {
    for (const m of contentTypes.matchAll(/<Override\b[^>]*>/g)) {
      const tag = m[0];
      const type = /ContentType\s*=\s*"([^"]*)"/.exec(tag)?.[1];
      const part = /PartName\s*=\s*"([^"]*)"/.exec(tag)?.[1];
      if (type !== undefined && part !== undefined && MAIN_CONTENT_TYPES.includes(type)) {
        const entry = byName.get(decodeXmlText(part).replace(/^\//, ""));
        if (entry !== undefined) return entry;
      }
    }
  }
  return byName.get("word/document.xml");
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * DOCX: a ZIP (checked by `openZip` before anything is inflated), whose main document part is inflated under
 * the remaining uncompressed budget and read by {@link wordXmlToText}. An OLE2 file is an encrypted (password
 * protected) document when it holds an `EncryptedPackage` stream, else a legacy Word 97–2003 `.doc`.
 */
export function extractDocx(file: string, bytes: Uint8Array, opts: ResolvedExtractOptions): FormatResult {
  if (bytes[0] === 0xd0) {
    return containsBytes(bytes, ENCRYPTED_PACKAGE)
      ? fail(
          file,
          "DOCX_ENCRYPTED",
          `${file} is a password-protected Word document`,
          "Remove the password (File › Info › Protect Document) and upload it again.",
        )
      : fail(
          file,
          "WRONG_EXTENSION",
          `${file} is named .docx but is a legacy Word 97–2003 (.doc) file`,
          "Open it in Word or LibreOffice and save it as .docx.",
        );
  }
  const zip = openZip(bytes, {
    maxEntries: opts.docxMaxEntries,
    maxUncompressedBytes: opts.docxMaxUncompressedBytes,
  });
  if (!zip.ok) return fail(file, zip.code, `${file}: ${zip.message}`, hintFor(zip.code));
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  let budget = opts.docxMaxUncompressedBytes;

  let contentTypes: string | undefined;
  const ct = byName.get("[Content_Types].xml");
  if (ct !== undefined) {
    const r = inflateZipEntry(bytes, ct, budget);
    if (!r.ok) return fail(file, r.code, `${file}: ${r.message}`, hintFor(r.code));
    budget -= r.data.length;
    try {
      contentTypes = utf8.decode(r.data);
    } catch (cause) {
      return fail(
        file,
        "DOCX_CORRUPT",
        `${file}: [Content_Types].xml is not UTF-8`,
        hintFor("DOCX_CORRUPT"),
        undefined,
        cause,
      );
    }
  }
  const main = findMainPart(contentTypes, byName);
  if (main === undefined) {
    return fail(
      file,
      "WRONG_EXTENSION",
      `${file} is a ZIP archive but not a Word document (no main document part)`,
      "Upload a Word .docx file, or give the file its real extension.",
    );
  }
  const r = inflateZipEntry(bytes, main, budget);
  if (!r.ok) return fail(file, r.code, `${file}: ${r.message}`, hintFor(r.code));
  let xml: string;
  try {
    xml = utf8.decode(r.data);
  } catch (cause) {
    return fail(
      file,
      "DOCX_CORRUPT",
      `${file}: ${main.name} is not UTF-8`,
      hintFor("DOCX_CORRUPT"),
      undefined,
      cause,
    );
  }
  const extracted = wordXmlToText(xml);
  if (!extracted.ok)
    return fail(
      file,
      "DOCX_CORRUPT",
      `${file}: ${main.name} has ${extracted.reason}`,
      hintFor("DOCX_CORRUPT"),
    );
  const text = normalizeText(extracted.text);
  if (text === "")
    return fail(
      file,
      "EMPTY_DOCUMENT",
      `${file} has no text`,
      "Upload a document with text (images are not read).",
    );
  return { ok: true, documents: [{ text, sourceName: file, locator: "file", metadata: {} }] };
}

function hintFor(code: "DOCX_CORRUPT" | "DOCX_ZIP_BOMB" | "DOCX_UNSAFE_PATH" | "DOCX_ENCRYPTED"): string {
  switch (code) {
    case "DOCX_CORRUPT":
      return "The file is damaged: open it in Word or LibreOffice, save it again as .docx and re-upload.";
    case "DOCX_ZIP_BOMB":
      return "The archive is far larger once uncompressed than a document should be; save it again from Word, or split it.";
    case "DOCX_UNSAFE_PATH":
      return "The archive was crafted with paths outside its folder; save the document again from Word.";
    case "DOCX_ENCRYPTED":
      return "Remove the password or encryption and upload it again.";
  }
}
