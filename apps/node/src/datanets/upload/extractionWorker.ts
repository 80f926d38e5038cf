// The extraction worker's entry (loaded by createExtractionPool on a worker thread, never imported by the node):
// it runs core's pure extractor on the bytes it is sent and answers with the documents or the typed ingest
// error. Anything it cannot survive (a heap over its limit, a loop) ends the thread, not the node.
import { parentPort } from "node:worker_threads";
import { type ExtractOptions, type ExtractResult, extractDocuments, preloadPdf } from "@tributary/core";

/** A job sent to the worker. */
export type ExtractionJob = { id: number; fileName: string; bytes: Uint8Array; options: ExtractOptions };

/** The worker's answer: the result (the error without its `cause`, which need not survive a clone). */
export type ExtractionAnswer = { id: number; result: ExtractResult } | { id: number; crashed: string };

const port = parentPort;
if (port) {
  port.on("message", async (job: ExtractionJob) => {
    try {
      const result = await extractDocuments(job.fileName, job.bytes, job.options);
      const answer: ExtractionAnswer = result.ok
        ? { id: job.id, result }
        : { id: job.id, result: { ok: false, error: result.error.toJSON() as never } };
      port.postMessage(answer);
    } catch (e) {
      port.postMessage({ id: job.id, crashed: e instanceof Error ? e.message : String(e) });
    }
  });
  // Ready once pdf.js is loaded: a file's time limit starts when a ready worker takes it, and must not be spent
  // loading the extractor (seconds on a busy machine). A failed preload is left to the first PDF to report.
  await preloadPdf().catch(() => {});
  port.postMessage({ ready: true });
}
