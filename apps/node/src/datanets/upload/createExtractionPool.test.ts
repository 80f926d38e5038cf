import { describe, expect, it } from "vitest";
import { createExtractionPool } from "./createExtractionPool.ts";
import { DatanetError } from "./errors.ts";

const encode = (s: string) => new TextEncoder().encode(s);

describe("createExtractionPool", () => {
  it("extracts on a worker; a file over the heap limit kills only its worker (422 EXTRACTION_LIMIT, memory), the next one works", async () => {
    const pool = createExtractionPool({ maxHeapMb: 48, timeoutMs: 60_000 });
    try {
      const ok = await pool.extract("a.md", encode("# Title\n\nSome text."), {});
      expect(ok).toMatchObject({ ok: true, format: "md", documents: [{ text: "# Title\n\nSome text." }] });
      // 300,000 JSONL rows: each becomes a document object with its metadata, far over a 48 MiB heap.
      const rows = Array.from({ length: 300_000 }, (_, i) => `{"text":"row ${i}","n":${i}}`).join("\n");
      const error = await pool.extract("rows.jsonl", encode(rows), {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatanetError);
      expect(error).toMatchObject({
        status: 422,
        code: "EXTRACTION_LIMIT",
        details: { file: "rows.jsonl", limit: "memory" },
      });
      expect((error as DatanetError).message).toContain("rows.jsonl needed more memory");
      const again = await pool.extract("b.txt", encode("still here"), {});
      expect(again).toMatchObject({ ok: true, documents: [{ text: "still here" }] });
      expect(pool.stats()).toMatchObject({ started: 2, limited: 1, running: 0, queued: 0 });
    } finally {
      await pool.close();
    }
  });

  it("answers typed ingest errors as results, and refuses work beyond its queue with 503 EXTRACTION_BUSY", async () => {
    const pool = createExtractionPool({ maxQueue: 1 });
    try {
      const bad = await pool.extract("bad.txt", new Uint8Array([0xff, 0xfe, 0x41]), {});
      expect(bad).toMatchObject({ ok: false, error: { code: "INVALID_UTF8", file: "bad.txt" } });
      // One running, one waiting: the third is refused at once.
      const big = encode("word ".repeat(2_000_000));
      const first = pool.extract("one.txt", big, {});
      const second = pool.extract("two.txt", big, {});
      const third = await pool.extract("three.txt", big, {}).catch((e: unknown) => e);
      expect(third).toMatchObject({ status: 503, code: "EXTRACTION_BUSY", retryable: true });
      expect((await first).ok).toBe(true);
      expect((await second).ok).toBe(true);
    } finally {
      await pool.close();
    }
  });
});
