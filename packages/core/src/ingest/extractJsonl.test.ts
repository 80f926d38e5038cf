import { describe, expect, it } from "vitest";
import { extractDocuments } from "./extractDocuments.ts";
import { renderJsonlRow } from "./renderJsonlRow.ts";
import type { ExtractResult } from "./types.ts";

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const jsonl = (...rows: unknown[]): Uint8Array =>
  utf8(rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n"));

function docs(result: ExtractResult) {
  if (!result.ok) throw result.error;
  return result.documents;
}

function error(result: ExtractResult) {
  if (result.ok) throw new Error("expected an error");
  return result.error;
}

describe("extractDocuments: .jsonl", () => {
  it("test_jsonl_textRows_oneDocumentPerLine_withMetadata", async () => {
    const result = await extractDocuments(
      "d.jsonl",
      jsonl({ text: "first  \r\nrow", source: "wiki", id: 7 }, "", "  ", {
        text: "second",
        meta: { a: [1] },
      }),
    );
    expect(docs(result)).toEqual([
      { text: "first\nrow", sourceName: "d.jsonl", locator: "line 1", metadata: { source: "wiki", id: 7 } },
      { text: "second", sourceName: "d.jsonl", locator: "line 4", metadata: { meta: { a: [1] } } },
    ]);
  });

  it("test_jsonl_instructionRows_canonicalRendering", async () => {
    const result = await extractDocuments(
      "alpaca.jsonl",
      jsonl(
        { instruction: "Add the numbers.", input: "2 + 2", output: "4" },
        { instruction: "Say hi.", input: "", output: "Hi!", category: "greeting" },
        { instruction: "Translate", response: "Bonjour" },
      ),
    );
    const [a, b, c] = docs(result);
    expect(a!.text).toBe("### Instruction:\nAdd the numbers.\n\n### Input:\n2 + 2\n\n### Response:\n4");
    expect(b!.text).toBe("### Instruction:\nSay hi.\n\n### Response:\nHi!");
    expect(b!.metadata).toEqual({ category: "greeting" });
    expect(c!.text).toBe("### Instruction:\nTranslate\n\n### Response:\nBonjour");
  });

  it("test_jsonl_messagesRows_canonicalRendering", async () => {
    const result = await extractDocuments(
      "chat.jsonl",
      jsonl({
        messages: [
          { role: "system", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "Hello" },
              { type: "text", text: "there" },
            ],
          },
          { role: "assistant", content: "Hi." },
        ],
        split: "train",
      }),
    );
    expect(docs(result)).toEqual([
      {
        text: "### system:\nBe brief.\n\n### user:\nHello\nthere\n\n### assistant:\nHi.",
        sourceName: "chat.jsonl",
        locator: "line 1",
        metadata: { split: "train" },
      },
    ]);
  });

  it("test_jsonl_malformedLine_revertsWithItsLineNumber", async () => {
    const e = error(
      await extractDocuments("d.jsonl", utf8('{"text":"ok"}\r\n{"text":"ok"}\r\n{"text": "unterminated\r\n')),
    );
    expect(e.code).toBe("JSONL_MALFORMED_LINE");
    expect(e.line).toBe(3);
    expect(e.message).toContain("d.jsonl line 3");
    expect(e.cause).toBeInstanceOf(SyntaxError);
  });

  it("test_jsonl_unknownShape_namesTheFieldsFound", async () => {
    const e = error(
      await extractDocuments("d.jsonl", jsonl({ text: "ok" }, { prompt: "p", completion: "c" })),
    );
    expect(e.code).toBe("JSONL_UNKNOWN_SHAPE");
    expect(e.line).toBe(2);
    expect(e.message).toContain("prompt, completion");
    for (const bad of [
      [1, 2],
      "just a string",
      null,
      { text: 5 },
      { instruction: "x" },
      { messages: [] },
      { messages: [{ role: "user" }] },
      { messages: [{ role: "a\nb", content: "x" }] },
      { messages: [{ role: "user", content: [{ type: "image_url" }] }] },
      { instruction: "x", output: "y", input: 3 },
    ]) {
      const r = error(await extractDocuments("d.jsonl", utf8(JSON.stringify(bad))));
      expect(r.code).toBe("JSONL_UNKNOWN_SHAPE");
      expect(r.line).toBe(1);
    }
  });

  it("test_jsonl_blankTextRow_isEmptyDocument", async () => {
    const e = error(await extractDocuments("d.jsonl", jsonl({ text: "ok" }, { text: " \n\t" })));
    expect([e.code, e.line]).toEqual(["EMPTY_DOCUMENT", 2]);
  });

  it("test_jsonl_loneSurrogateEscape_refused", async () => {
    const e = error(await extractDocuments("d.jsonl", utf8('{"text":"ok \\ud800 broken"}')));
    expect([e.code, e.line]).toEqual(["INVALID_UTF8", 1]);
    expect(docs(await extractDocuments("d.jsonl", utf8('{"text":"pair \\ud83d\\ude00"}')))[0]!.text).toBe(
      "pair 😀",
    );
  });

  it("test_jsonl_overMaxDocuments_refused", async () => {
    const rows = Array.from({ length: 4 }, (_, i) => ({ text: `row ${i}` }));
    expect(error(await extractDocuments("d.jsonl", jsonl(...rows), { maxDocuments: 3 })).code).toBe(
      "TOO_MANY_DOCUMENTS",
    );
    expect(docs(await extractDocuments("d.jsonl", jsonl(...rows), { maxDocuments: 4 }))).toHaveLength(4);
  });

  it("test_renderJsonlRow_textWinsOverOtherShapes", () => {
    const r = renderJsonlRow({ text: "full", instruction: "i", output: "o" });
    expect(r).toEqual({ ok: true, shape: "text", text: "full", consumed: ["text"] });
  });
});

describe("extractDocuments: .csv", () => {
  it("test_csv_quotedMultilineFields_andMetadata", async () => {
    const csv = 'id,text,lang\r\n1,"Hello, ""world""\r\nsecond line",en\r\n\r\n2,plain,fr\r\n';
    expect(docs(await extractDocuments("t.csv", utf8(csv)))).toEqual([
      {
        text: 'Hello, "world"\nsecond line',
        sourceName: "t.csv",
        locator: "row 1",
        metadata: { id: "1", lang: "en" },
      },
      { text: "plain", sourceName: "t.csv", locator: "row 2", metadata: { id: "2", lang: "fr" } },
    ]);
  });

  it("test_csv_namedColumn_andDelimiterOptions", async () => {
    const csv = "body;author\n\uFEFFone;ann\ntwo;bob\n";
    const d = docs(
      await extractDocuments("t.csv", utf8(`\uFEFF${csv}`), { csvTextColumn: "body", csvDelimiter: ";" }),
    );
    expect(d.map((x) => [x.text, x.metadata.author])).toEqual([
      ["one", "ann"],
      ["two", "bob"],
    ]);
  });

  it("test_csv_missingColumn_listsTheColumnsFound", async () => {
    const e = error(await extractDocuments("t.csv", utf8("id, content ,lang\n1,x,en\n")));
    expect(e.code).toBe("CSV_MISSING_COLUMN");
    expect(e.message).toContain('"id", "content", "lang"');
    expect(e.message).toContain('"text"');
  });

  it("test_csv_malformed_namesTheLine", async () => {
    const unclosed = error(await extractDocuments("t.csv", utf8('id,text\n1,ok\n2,"never closed\n3,x\n')));
    expect(unclosed.code).toBe("CSV_MALFORMED");
    expect(unclosed.line).toBeGreaterThanOrEqual(3);
    const ragged = error(await extractDocuments("t.csv", utf8("id,text\n1,ok\n2,too,many\n")));
    expect([ragged.code, ragged.line]).toEqual(["CSV_MALFORMED", 3]);
    const dup = error(await extractDocuments("t.csv", utf8("text,text\n1,2\n")));
    expect(dup.code).toBe("CSV_MALFORMED");
  });

  it("test_csv_emptyCell_isEmptyDocumentWithItsLine", async () => {
    const e = error(await extractDocuments("t.csv", utf8('id,text\n1,"multi\nline"\n2,  \n')));
    expect([e.code, e.line]).toEqual(["EMPTY_DOCUMENT", 4]);
    expect(e.message).toContain("row 2");
  });

  it("test_csv_headerOnly_isEmptyDocument", async () => {
    expect(error(await extractDocuments("t.csv", utf8("id,text\n"))).code).toBe("EMPTY_DOCUMENT");
  });
});
