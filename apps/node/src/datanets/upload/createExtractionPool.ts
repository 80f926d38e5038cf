import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { DocumentFormat, ExtractedDocument, ExtractOptions, IngestErrorJson } from "@tributary/core";
import { DatanetError } from "./errors.ts";
import type { ExtractionAnswer } from "./extractionWorker.ts";

/** Limits of the extraction workers (`UploadOptions.extraction`); every field has a default. */
export type ExtractionLimits = {
  /** Worker threads extracting at once (default 1: extraction never takes more than one core from the node). */
  poolSize?: number;
  /** Files waiting for a worker beyond which an upload is refused with 503 `EXTRACTION_BUSY` (default 32). */
  maxQueue?: number;
  /** Wall time one file may take in its worker before the worker is killed (default 30 s). */
  timeoutMs?: number;
  /** V8 old-generation heap of a worker, in MiB (default 512); over it the worker dies, not the node. */
  maxHeapMb?: number;
  /** V8 young-generation heap of a worker, in MiB (default 32). */
  maxYoungHeapMb?: number;
  /**
   * Growth of the process's resident memory while a file is extracted beyond which its worker is killed, in
   * bytes (default 768 MiB). Catches what the heap limit cannot see: inflated streams live in ArrayBuffers,
   * outside the V8 heap.
   */
  maxMemoryGrowthBytes?: number;
};

/** What a worker extracted from one file: the documents, or the file's typed ingest error. */
export type PooledExtractResult =
  | { ok: true; format: DocumentFormat; documents: ExtractedDocument[] }
  | { ok: false; error: IngestErrorJson };

/** A small pool of extraction worker threads with a queue bound and time and memory limits per file. */
export type ExtractionPool = {
  /**
   * Extracts one file on a worker. Throws {@link DatanetError} 422 `EXTRACTION_LIMIT` when the file hits a limit
   * (its worker is killed and replaced), 503 `EXTRACTION_BUSY` when the queue is full.
   */
  extract(fileName: string, bytes: Uint8Array, options: ExtractOptions): Promise<PooledExtractResult>;
  /** Workers started so far (a killed worker is replaced by a new one), files extracted, files refused by a limit. */
  stats(): { started: number; extracted: number; limited: number; running: number; queued: number };
  /** Stops the workers; queued and running files fail. */
  close(): Promise<void>;
};

type Limit = "time" | "memory" | "crash";
type Task = {
  id: number;
  fileName: string;
  bytes: Uint8Array;
  options: ExtractOptions;
  resolve(result: PooledExtractResult): void;
  reject(error: unknown): void;
};
type Slot = {
  worker: Worker;
  ready: boolean;
  task: Task | undefined;
  timer: NodeJS.Timeout | undefined;
  /** The process's resident memory when the task started. */
  rssAtStart: number | undefined;
  /** Why this slot's worker is being killed (set before `terminate`). */
  killed?: Limit;
};

// The worker thread's bootstrap, plain JavaScript run with `eval` so that it needs no loader: it registers tsx
// (the node's TypeScript runtime; under Vitest the worker does not inherit one), imports the worker entry, then
// lowers its own thread's CPU priority to nice 10 (Linux: a thread id is a pid to setpriority), so that on a busy
// machine the event loop wins the CPU over an extraction (after the start, which should not be slowed).
const BOOT = `
const { parentPort, workerData } = require("node:worker_threads");
const lower = () => {
  try {
    const tid = Number(require("node:fs").readlinkSync("/proc/thread-self").split("/").pop());
    require("node:os").setPriority(tid, 10);
  } catch {}
};
(workerData.tsx ? import(workerData.tsx).then((api) => api.register()) : Promise.resolve())
  .then(() => import(workerData.entry))
  .then(lower)
  .catch((e) => { parentPort.postMessage({ bootFailed: String((e && e.stack) || e) }); });
`;

/**
 * The node's document extraction off the event loop: PDF (pdf.js), DOCX (zip), CSV and JSONL run in worker threads
 * with a V8 heap limit, a wall-time limit per file and a watchdog on the process's memory growth. A file that hits
 * a limit gets 422 `EXTRACTION_LIMIT` naming the file and the limit; its worker is terminated and a fresh one
 * started, and the node keeps answering meanwhile. Core's extractor stays pure: the worker only calls it.
 *
 * @example
 * const pool = createExtractionPool({ timeoutMs: 10_000 });
 * const result = await pool.extract("paper.pdf", bytes, { maxPdfPages: 500 });
 */
export function createExtractionPool(limits: ExtractionLimits = {}): ExtractionPool {
  const size = limits.poolSize ?? 1;
  const maxQueue = limits.maxQueue ?? 32;
  const timeoutMs = limits.timeoutMs ?? 30_000;
  const maxHeapMb = limits.maxHeapMb ?? 512;
  const maxYoungHeapMb = limits.maxYoungHeapMb ?? 32;
  const maxGrowth = limits.maxMemoryGrowthBytes ?? 768 * 1024 * 1024;
  for (const [name, v] of Object.entries({ size, maxQueue, timeoutMs, maxHeapMb, maxYoungHeapMb, maxGrowth }))
    if (!Number.isSafeInteger(v) || v < (name === "maxQueue" ? 0 : 1))
      throw new RangeError(`extraction limit ${name} must be a positive integer, got ${v}`);

  const require = createRequire(import.meta.url);
  const workerData = {
    tsx: tsxApiUrl(require),
    entry: new URL("./extractionWorker.ts", import.meta.url).href,
  };
  const slots: (Slot | undefined)[] = Array.from({ length: size }, () => undefined);
  const queue: Task[] = [];
  const counters = { started: 0, extracted: 0, limited: 0 };
  let nextId = 0;
  let closed = false;
  let watchdog: NodeJS.Timeout | undefined;

  const spawn = (index: number): Slot => {
    const worker = new Worker(BOOT, {
      eval: true,
      execArgv: [],
      workerData,
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb, maxYoungGenerationSizeMb: maxYoungHeapMb },
    });
    counters.started++;
    worker.unref();
    const slot: Slot = { worker, ready: false, task: undefined, timer: undefined, rssAtStart: undefined };
    slots[index] = slot;
    worker.on("message", (m: ExtractionAnswer | { ready: true } | { bootFailed: string }) => {
      if ("ready" in m) {
        slot.ready = true;
        pump();
        return;
      }
      if ("bootFailed" in m) {
        slot.killed = "crash";
        for (const t of queue.splice(0))
          t.reject(new Error(`the extraction worker did not start: ${m.bootFailed}`));
        void worker.terminate();
        return;
      }
      const task = slot.task;
      if (!task || task.id !== m.id) return;
      finish(slot);
      counters.extracted++;
      if ("crashed" in m) task.reject(new Error(`extracting ${task.fileName} failed: ${m.crashed}`));
      else task.resolve(m.result as PooledExtractResult);
      pump();
    });
    worker.on("error", (error: Error & { code?: string }) => {
      slot.killed ??= error.code === "ERR_WORKER_OUT_OF_MEMORY" ? "memory" : "crash";
    });
    worker.on("exit", () => {
      if (slots[index] === slot) slots[index] = undefined;
      const task = slot.task;
      finish(slot);
      if (task) {
        counters.limited++;
        task.reject(limitError(task.fileName, slot.killed ?? "crash"));
      }
      // A killed worker is replaced at once, so the next file does not wait for its start.
      if (!closed && (task || queue.length > 0)) spawn(index);
      pump();
    });
    return slot;
  };

  const finish = (slot: Slot) => {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.task = undefined;
    slot.rssAtStart = undefined;
    slot.worker.unref();
    if (!slots.some((s) => s?.task) && watchdog) {
      clearInterval(watchdog);
      watchdog = undefined;
    }
  };

  const kill = (slot: Slot, why: Limit) => {
    if (slot.killed) return;
    slot.killed = why;
    void slot.worker.terminate();
  };

  const pump = () => {
    if (closed) return;
    for (let i = 0; i < slots.length && queue.length > 0; i++) {
      const slot = slots[i] ?? spawn(i);
      if (!slot.ready || slot.task || slot.killed) continue;
      const task = queue.shift()!;
      slot.task = task;
      slot.rssAtStart = process.memoryUsage.rss();
      slot.worker.ref();
      slot.timer = setTimeout(() => kill(slot, "time"), timeoutMs);
      slot.worker.postMessage({
        id: task.id,
        fileName: task.fileName,
        bytes: task.bytes,
        options: task.options,
      });
      watchdog ??= setInterval(() => {
        const rss = process.memoryUsage.rss();
        for (const s of slots)
          if (s?.rssAtStart !== undefined && rss - s.rssAtStart > maxGrowth) kill(s, "memory");
      }, 50);
    }
  };

  const limitError = (fileName: string, limit: Limit): DatanetError => {
    const what =
      limit === "time"
        ? `took longer than the extraction time limit (${timeoutMs} ms)`
        : limit === "memory"
          ? `needed more memory than the extraction limit (${maxHeapMb} MiB heap, ${Math.round(maxGrowth / 1048576)} MiB in all)`
          : "stopped the extraction worker";
    return new DatanetError(
      422,
      "EXTRACTION_LIMIT",
      `${fileName} ${what}; nothing was staged`,
      "The file decompresses to far more than it weighs, or is malformed. Open it in a reader and save or print it to a new file (or split it), then upload again.",
      { details: { file: fileName, limit } },
    );
  };

  return {
    extract(fileName, bytes, options) {
      if (closed) return Promise.reject(new Error("the extraction pool is closed"));
      // Files a free (or starting) worker will take at once do not count against the queue bound.
      if (queue.length >= maxQueue + slots.filter((s) => !s?.task).length)
        return Promise.reject(
          new DatanetError(
            503,
            "EXTRACTION_BUSY",
            `the node is extracting other files (${queue.length} waiting); ${fileName} was not read`,
            "Retry in a few seconds.",
            { details: { file: fileName }, retryable: true },
          ),
        );
      return new Promise<PooledExtractResult>((resolve, reject) => {
        queue.push({ id: ++nextId, fileName, bytes, options, resolve, reject });
        pump();
      });
    },
    stats: () => ({
      ...counters,
      running: slots.filter((s) => s?.task).length,
      queued: queue.length,
    }),
    async close() {
      closed = true;
      for (const t of queue.splice(0)) t.reject(new Error("the extraction pool is closed"));
      await Promise.all(
        slots.map(async (s) => {
          if (!s) return;
          s.killed ??= "crash";
          await s.worker.terminate();
        }),
      );
    },
  };
}

/** URL of tsx's ESM API (`register()`), or "" when tsx is not installed (the runtime then loads .ts itself). */
function tsxApiUrl(require: NodeJS.Require): string {
  try {
    return pathToFileURL(require.resolve("tsx/esm/api").replace(/index\.cjs$/, "index.mjs")).href;
  } catch {
    return "";
  }
}
