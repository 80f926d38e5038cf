import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDeflate, deflateSync } from "node:zlib";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { createNodeClient } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedUploadState } from "../../src/datanets/upload/uploadContext.ts";
import { createDatanetRoutes, createNode, type TributaryNode } from "../../src/index.ts";

/**
 * Attack: a small PDF or DOCX that decompresses to hundreds of MB, or that makes pdf.js grind, sent to the
 * unauthenticated upload route. Before the fix pdf.js ran on the event loop: a 400 KB PDF blocked /health for
 * seconds and grew the process by hundreds of MB. Now extraction runs on a worker thread with a time and memory
 * limit; the file gets 422 EXTRACTION_LIMIT, nothing is staged, and the node keeps answering.
 */
describe("abuse: document extraction (decompression bombs, slow PDFs)", () => {
  // Far below what the slow PDF below costs (about 2.9 s of pdf.js on an idle core of this machine): with a 3 s
  // limit that PDF finished in time whenever the machine was quiet, and the test measured the machine's load.
  const TIMEOUT_MS = 1_000;
  // The time limit runs from when a worker takes the file; before that, the worker killed by the previous attack is
  // replaced, which takes seconds on a busy 2-core machine (tsx compiles @tributary/core for the new thread).
  const START_SLACK_MS = 30_000;
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;
  let dataDir: string;
  let datanetId: bigint;
  const contributor = "0x00000000000000000000000000000000000000c1";

  beforeAll(async () => {
    chain = await setupTestChain();
    dataDir = mkdtempSync(join(tmpdir(), "abuse-extract-"));
    node = await createNode({
      dataDir,
      http: { port: 0 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
      routes: [
        (ctx) =>
          createDatanetRoutes(ctx, {
            upload: {
              extraction: { timeoutMs: TIMEOUT_MS, maxHeapMb: 128, maxMemoryGrowthBytes: 256 * 1024 * 1024 },
            },
          }),
      ],
    });
    ({ url } = await node.listen());
    const created = await createNodeClient({ baseUrl: url }).createDatanet({
      metadataURI: "ipfs://abuse",
      policy: { curated: true, minStake: 0n, license: "CC-BY-4.0" },
    });
    datanetId = BigInt(created.datanetId);
    // A good PDF first: it is staged, and the worker is up before the attacks are timed.
    const ok = await upload("hello.pdf", pdfWithContent(text("Hello from a well-formed PDF.")));
    expect(ok.status).toBe(201);
  });
  afterAll(async () => {
    await node?.stop();
    await chain?.stop();
  });

  function text(s: string): Uint8Array {
    return new TextEncoder().encode(`BT /F1 12 Tf 72 720 Td (${s}) Tj ET`);
  }

  async function upload(name: string, bytes: Uint8Array): Promise<Response> {
    const form = new FormData();
    form.set("contributor", contributor);
    form.append("files", new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
    return await fetch(`${url}/v1/datanets/${datanetId}/uploads`, { method: "POST", body: form });
  }

  async function written() {
    const count = async (table: "uploads" | "upload_documents" | "minhash_signatures") =>
      Number(
        (
          await node.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return {
      uploads: await count("uploads"),
      documents: await count("upload_documents"),
      signatures: await count("minhash_signatures"),
      blobs: readdirSync(join(dataDir, "content"), { recursive: true }).length,
    };
  }

  /** Sends the upload while polling /health every 50 ms; the slowest /health answer, the answer, its time. */
  async function attack(name: string, bytes: Uint8Array) {
    const rss0 = process.memoryUsage().rss;
    let done = false;
    let slowest = 0;
    const poll = (async () => {
      while (!done) {
        const t = performance.now();
        const r = await fetch(`${url}/health`);
        await r.arrayBuffer();
        slowest = Math.max(slowest, performance.now() - t);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const t = performance.now();
    const res = await upload(name, bytes);
    const ms = performance.now() - t;
    const body = (await res.json()) as { error: { code: string; message: string; hint: string } };
    done = true;
    await poll;
    return { res, body, ms, slowest, rssGrowth: process.memoryUsage().rss - rss0 };
  }

  it("a FlateDecode bomb (400 KB inflating to 400 MB) gets 422 EXTRACTION_LIMIT; /health stays fast; memory bounded", async () => {
    const bomb = pdfWithStream(await deflateZeros(400));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const before = await written();
    const { res, body, ms, slowest, rssGrowth } = await attack("bomb.pdf", bomb);
    expect(res.status).toBe(422);
    expect(body.error.code).toBe("EXTRACTION_LIMIT");
    expect(body.error.message).toContain("bomb.pdf");
    expect(body.error.hint).toMatch(/save or print it to a new file/);
    expect(ms).toBeLessThan(TIMEOUT_MS + START_SLACK_MS);
    expect(slowest).toBeLessThan(200);
    expect(rssGrowth).toBeLessThan(400 * 1024 * 1024);
    expect(await written()).toEqual(before);
  });

  it("a PDF that keeps pdf.js busy (2.6 million text operators) gets 422 EXTRACTION_LIMIT (time); /health stays fast", async () => {
    const slow = pdfWithContent(
      new TextEncoder().encode(`BT /F1 12 Tf 72 720 Td ${"(ab) Tj ".repeat(2_600_000)}ET`),
    );
    expect(slow.length).toBeLessThan(256 * 1024);
    const before = await written();
    const { res, body, ms, slowest } = await attack("slow.pdf", slow);
    expect(res.status).toBe(422);
    expect(body.error.code).toBe("EXTRACTION_LIMIT");
    expect(body.error.message).toContain("slow.pdf");
    expect(body.error.message).toContain(`${TIMEOUT_MS} ms`);
    expect(ms).toBeLessThan(TIMEOUT_MS + START_SLACK_MS);
    expect(slowest).toBeLessThan(200);
    expect(await written()).toEqual(before);
  });

  it("after a killed worker, the next upload is extracted by a fresh one", async () => {
    const res = await upload("again.pdf", pdfWithContent(text("Still extracting after an attack.")));
    expect(res.status).toBe(201);
    const view = (await res.json()) as { documents: { sourceName: string }[] };
    expect(view.documents[0]!.sourceName).toBe("again.pdf");
    // One worker at first, killed twice and replaced twice.
    expect(sharedUploadState(node.ctx).extraction?.stats()).toMatchObject({
      started: 3,
      limited: 2,
      running: 0,
    });
  });
});

/** A zlib stream of `mb` MiB of zeros at maximum compression (about 1 KB per MiB), built without holding them. */
async function deflateZeros(mb: number): Promise<Uint8Array> {
  const z = createDeflate({ level: 9 });
  const chunks: Buffer[] = [];
  z.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => z.on("end", r));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < mb; i++) if (!z.write(zeros)) await new Promise((r) => z.once("drain", r));
  z.end();
  await ended;
  return new Uint8Array(Buffer.concat(chunks));
}

/** A one-page PDF whose content stream is `content`, deflated. */
function pdfWithContent(content: Uint8Array): Uint8Array {
  return pdfWithStream(new Uint8Array(deflateSync(content, { level: 9 })));
}

/** A one-page PDF (Helvetica) whose content stream is the given FlateDecode bytes, with a correct xref table. */
function pdfWithStream(deflated: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  const offsets: number[] = [];
  let length = 0;
  const push = (p: string | Uint8Array) => {
    const b = typeof p === "string" ? new TextEncoder().encode(p) : p;
    parts.push(b);
    length += b.length;
  };
  const obj = (n: number, ...body: (string | Uint8Array)[]) => {
    offsets[n] = length;
    push(`${n} 0 obj\n`);
    for (const p of body) push(p);
    push("\nendobj\n");
  };
  push("%PDF-1.7\n");
  obj(1, "<< /Type /Catalog /Pages 2 0 R >>");
  obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
  obj(
    3,
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
  );
  obj(4, `<< /Length ${deflated.length} /Filter /FlateDecode >>\nstream\n`, deflated, "\nendstream");
  obj(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const xref = length;
  const rows = [1, 2, 3, 4, 5].map((n) => `${String(offsets[n]).padStart(10, "0")} 00000 n \n`).join("");
  push(
    `xref\n0 6\n0000000000 65535 f \n${rows}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
  );
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
