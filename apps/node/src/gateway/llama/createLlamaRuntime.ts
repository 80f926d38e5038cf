import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";
import { checkGgufHeader } from "./checkGgufHeader.ts";
import { type ContextPool, createContextPool } from "./createContextPool.ts";
import { createDetokenizer } from "./detokenizer.ts";
import { hashFile } from "./hashFile.ts";
import { contextLengthExceeded, fileChanged, fileNotFound, invalidFile } from "./llamaErrors.ts";
import type {
  LlamaConfig,
  LlamaFiles,
  LlamaGeneration,
  LlamaInspection,
  LlamaRuntime,
  LlamaRuntimeStats,
} from "./types.ts";

/** Default tokens per context (prompt and output), capped by the base's training context. */
export const DEFAULT_LLAMA_CONTEXT_SIZE = 2048;

/** Who hears llama.cpp's warnings and errors (its logger is one per process). */
const llamaListeners = new Set<(message: string) => void>();
const llamas = new Map<number, Promise<Llama>>();

/**
 * The process's llama.cpp binding, one per thread count (its logger is process-wide): the prebuilt CPU binary,
 * never built or downloaded at run time. Loaded on first use only.
 */
function sharedLlama(threads: number): Promise<Llama> {
  let hit = llamas.get(threads);
  if (!hit) {
    hit = import("node-llama-cpp").then(({ getLlama, LlamaLogLevel }) =>
      getLlama({
        gpu: false,
        build: "never",
        skipDownload: true,
        maxThreads: threads,
        progressLogs: false,
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => {
          if (level !== LlamaLogLevel.error && level !== LlamaLogLevel.warn) return;
          for (const l of llamaListeners) l(message.trim());
        },
      }),
    );
    llamas.set(threads, hit);
    hit.catch(() => llamas.delete(threads));
  }
  return hit;
}

type Base = { sha256: string; path: string; model: LlamaModel; contextSize: number; contextBytes: number };
type Slot = { context: LlamaContext; sequence: LlamaContextSequence };

/** The model key of the pool: base, adapter and scale. */
const keyOf = (f: Pick<LlamaFiles, "baseSha256" | "adapterSha256" | "scale">) =>
  `${f.baseSha256}/${f.adapterSha256 ?? "none"}@${f.scale}`;

/** The runtime's settings with their defaults; threads default to the machine's cores (never llama's 4). */
export function resolveLlamaConfig(config: LlamaConfig = {}): LlamaRuntime["config"] {
  const resolved = {
    threads: config.threads ?? availableParallelism(),
    contextSize: config.contextSize ?? DEFAULT_LLAMA_CONTEXT_SIZE,
    maxContexts: config.maxContexts ?? 8,
    maxContextsPerAdapter: config.maxContextsPerAdapter ?? 2,
    maxQueue: config.maxQueue ?? 64,
    queueTimeoutMs: config.queueTimeoutMs ?? 30_000,
    ...(config.maxContextBytes !== undefined ? { maxContextBytes: config.maxContextBytes } : {}),
  };
  for (const [key, min] of [
    ["threads", 1],
    ["contextSize", 16],
    ["maxContexts", 1],
    ["maxContextsPerAdapter", 1],
    ["maxQueue", 0],
    ["queueTimeoutMs", 1],
  ] as const) {
    const v = resolved[key];
    if (!Number.isSafeInteger(v) || v < min)
      throw new Error(`llama.${key} is ${v}; it must be an integer ≥ ${min}`);
  }
  return resolved;
}

/**
 * Creates the node's local llama runtime over node-llama-cpp's prebuilt CPU binary (`gpu: false`, never built or
 * downloaded at run time), loaded on first use so that a node without llama models never loads it. Base models
 * are loaded once per file hash; each model (base + adapter + scale) gets contexts from one LRU pool (a context
 * carries its LoRA), reused warm, created cold, evicted least recently used under `maxContexts` /
 * `maxContextBytes`, waited for in FIFO order up to `queueTimeoutMs`. Generation is greedy at temperature 0 and
 * seeded otherwise, stops at the end-of-generation token, `maxTokens` or the abort signal.
 *
 * @example
 * const llama = createLlamaRuntime({ threads: 2, maxContexts: 8 });
 * const info = await llama.inspect({ baseFile: "/models/base.gguf", adapterFile: "/models/whale.gguf" });
 * const files = { baseFile, baseSha256: info.baseSha256, adapterFile, adapterSha256: info.adapterSha256, scale: 1 };
 * const g = await llama.generate(files, { prompt: "Call me", maxTokens: 32, temperature: 0, seed: 0 });
 */
export function createLlamaRuntime(config: LlamaConfig = {}): LlamaRuntime {
  const cfg = resolveLlamaConfig(config);
  let llamaPromise: Promise<Llama> | undefined;
  /** The errors llama.cpp logged since the current load began (its reasons for refusing a file). */
  let logged: string[] = [];
  const reason = (error: unknown) => (logged.length > 0 ? logged.join("; ") : (error as Error).message);
  const bases = new Map<string, Promise<Base>>();
  const filesByKey = new Map<string, LlamaFiles>();
  let disposed = false;

  const listener = (message: string) => {
    logged = [...logged.slice(-3), message];
  };
  const llama = () => {
    llamaPromise ??= sharedLlama(cfg.threads).then((l) => {
      llamaListeners.add(listener);
      return l;
    });
    return llamaPromise;
  };

  async function loadBase(path: string, sha256: string): Promise<Base> {
    let hit = bases.get(sha256);
    if (!hit) {
      hit = (async () => {
        await checkGgufHeader(path, "base");
        const l = await llama();
        logged = [];
        let model: LlamaModel;
        try {
          model = await l.loadModel({ modelPath: path });
        } catch (error) {
          throw invalidFile("base", path, reason(error), error);
        }
        const contextSize = Math.min(cfg.contextSize, model.trainContextSize);
        const estimate = await model.fileInsights.estimateContextResourceRequirementsV2({
          contextSize,
          modelGpuLayers: 0,
          sequences: 1,
        });
        return { sha256, path, model, contextSize, contextBytes: estimate.cpuRam };
      })();
      bases.set(sha256, hit);
      hit.catch(() => bases.delete(sha256));
    }
    return hit;
  }

  /** The base of registered files: loaded once, its file checked against the registered hash first. */
  async function baseOf(files: LlamaFiles): Promise<Base> {
    if (!bases.has(files.baseSha256)) {
      const actual = await hashOf("base", files.baseFile);
      if (actual !== files.baseSha256) throw fileChanged(files.baseFile, files.baseSha256, actual);
    }
    return loadBase(files.baseFile, files.baseSha256);
  }

  async function hashOf(what: "base" | "adapter", path: string): Promise<string> {
    try {
      if (!(await stat(path)).isFile()) throw new Error("not a regular file");
      return await hashFile(path);
    } catch (error) {
      throw fileNotFound(what, path, error);
    }
  }

  const checkedAdapters = new Set<string>();

  const pool: ContextPool<Slot> = createContextPool<Slot>({
    maxResources: cfg.maxContexts,
    maxPerKey: cfg.maxContextsPerAdapter,
    ...(cfg.maxContextBytes !== undefined ? { maxBytes: cfg.maxContextBytes } : {}),
    maxWaiting: cfg.maxQueue,
    timeoutMs: cfg.queueTimeoutMs,
    costOf: (key) => {
      const files = filesByKey.get(key);
      return files ? (baseBytes.get(files.baseSha256) ?? 0) : 0;
    },
    async create(key) {
      const files = filesByKey.get(key);
      if (!files) throw new Error(`unknown llama model key ${key}`);
      const base = await baseOf(files);
      if (files.adapterFile && files.adapterSha256 && !checkedAdapters.has(files.adapterSha256)) {
        const actual = await hashOf("adapter", files.adapterFile);
        if (actual !== files.adapterSha256) throw fileChanged(files.adapterFile, files.adapterSha256, actual);
        await checkGgufHeader(files.adapterFile, "adapter");
      }
      logged = [];
      try {
        const context = await base.model.createContext({
          contextSize: base.contextSize,
          sequences: 1,
          threads: cfg.threads,
          ...(files.adapterFile
            ? { lora: { adapters: [{ filePath: resolve(files.adapterFile), scale: files.scale }] } }
            : {}),
        });
        if (files.adapterSha256) checkedAdapters.add(files.adapterSha256);
        return { context, sequence: context.getSequence() };
      } catch (error) {
        if (files.adapterFile && /lora|adapter/i.test(`${reason(error)} ${(error as Error).message}`)) {
          throw invalidFile("adapter", files.adapterFile, reason(error), error);
        }
        throw error;
      }
    },
    dispose: (slot) => slot.context.dispose(),
  });
  const baseBytes = new Map<string, number>();

  function register(files: LlamaFiles, base: Base): string {
    const key = keyOf(files);
    baseBytes.set(base.sha256, base.contextBytes);
    if (!filesByKey.has(key)) filesByKey.set(key, files);
    return key;
  }

  return {
    config: cfg,

    async inspect({ baseFile, adapterFile, scale = 1 }) {
      if (!(Number.isFinite(scale) && scale > 0 && scale <= 16)) {
        throw invalidFile("adapter", adapterFile ?? baseFile, `scale ${scale} is not in (0, 16]`);
      }
      const baseSha256 = await hashOf("base", baseFile);
      const adapterSha256 = adapterFile ? await hashOf("adapter", adapterFile) : undefined;
      const base = await loadBase(baseFile, baseSha256);
      const files: LlamaFiles = {
        baseFile,
        baseSha256,
        scale,
        ...(adapterFile && adapterSha256 ? { adapterFile, adapterSha256 } : {}),
      };
      if (cfg.maxContextBytes !== undefined && base.contextBytes > cfg.maxContextBytes) {
        throw invalidFile(
          "base",
          baseFile,
          `one context of ${base.contextSize} tokens takes ~${base.contextBytes} bytes, over llama.maxContextBytes (${cfg.maxContextBytes})`,
        );
      }
      // Loads the adapter into a context now (a bad adapter fails here, not at the first request); the context
      // stays warm in the pool.
      const key = register(files, base);
      const lease = await pool.acquire(key);
      lease.release();
      const meta = base.model.fileInfo.metadata;
      return {
        baseSha256,
        ...(adapterSha256 ? { adapterSha256 } : {}),
        contextSize: base.contextSize,
        trainContextSize: base.model.trainContextSize,
        vocabSize: vocabSizeOf(base.model),
        architecture: String(meta.general.architecture),
        contextBytes: base.contextBytes,
        adapterBytes: adapterFile ? (await stat(adapterFile)).size : 0,
      } satisfies LlamaInspection;
    },

    async tokenizerOf(files) {
      const { model } = await baseOf(files);
      return { encode: (text: string) => model.tokenize(text) };
    },

    async contextSizeOf(files) {
      return (await baseOf(files)).contextSize;
    },

    async generate(files, params): Promise<LlamaGeneration> {
      const base = await baseOf(files);
      const { model } = base;
      const prompt = model.tokenize(params.prompt);
      const bos = model.tokens.bos;
      const input = bos !== null && model.tokens.shouldPrependBosToken ? [bos, ...prompt] : prompt;
      if (input.length + params.maxTokens > base.contextSize) {
        throw contextLengthExceeded(
          params.model ?? keyOf(files),
          prompt.length,
          params.maxTokens,
          base.contextSize,
        );
      }
      const key = register(files, base);
      const lease = await pool.acquire(key, params.signal);
      const g0 = performance.now();
      let text = "";
      let outputTokens = 0;
      let finishReason: LlamaGeneration["finishReason"] = "length";
      const emit = (delta: string) => {
        if (delta.length === 0) return;
        text += delta;
        params.onText?.(delta, outputTokens);
      };
      try {
        const { sequence } = lease.resource;
        await sequence.clearHistory();
        const detokenizer = createDetokenizer(model, input);
        if (params.maxTokens > 0) {
          for await (const token of sequence.evaluate(input, {
            temperature: params.temperature,
            seed: params.seed >>> 0,
            topK: 40,
            topP: 0.95,
          })) {
            if (model.isEogToken(token)) {
              finishReason = "stop";
              break;
            }
            outputTokens++;
            emit(detokenizer.push(token));
            if (outputTokens >= params.maxTokens) break;
            if (params.signal?.aborted) {
              finishReason = "aborted";
              break;
            }
          }
        }
        emit(detokenizer.flush());
        lease.release();
      } catch (error) {
        lease.discard();
        throw error;
      }
      return {
        text,
        outputTokens,
        inputTokens: prompt.length,
        finishReason,
        cold: lease.cold,
        waitedMs: lease.waitedMs,
        generateMs: performance.now() - g0,
      };
    },

    stats(): LlamaRuntimeStats {
      const s = pool.stats();
      return {
        loaded: llamaPromise !== undefined,
        threads: cfg.threads,
        bases: bases.size,
        contexts: s.resources,
        busy: s.busy,
        waiting: s.waiting,
        contextBytes: s.bytes,
        created: s.created,
        reused: s.reused,
        evicted: s.evicted,
        refused: s.refused,
        perKey: s.perKey,
      };
    },

    async dispose() {
      if (disposed) return;
      disposed = true;
      llamaListeners.delete(listener);
      await pool.close();
      for (const base of bases.values()) {
        await base.then(
          (b) => b.model.dispose(),
          () => {},
        );
      }
      bases.clear();
    },
  };
}

/** Vocabulary size from the GGUF tokenizer metadata. */
function vocabSizeOf(model: LlamaModel): number {
  const tokens = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: readonly string[] } } })
    .tokenizer?.ggml?.tokens;
  return tokens?.length ?? 0;
}
