/** Settings of the node's local llama runtime (`NodeConfig.llama`); each absent one has its default. */
export type LlamaConfig = {
  /** CPU threads llama.cpp uses, shared by every context (default: the machine's cores, `os.availableParallelism()`). */
  threads?: number;
  /** Tokens one context holds, prompt and output together (default 2048, at most the base's training context). */
  contextSize?: number;
  /** Most contexts alive at once over every adapter: the LRU budget (default 8). */
  maxContexts?: number;
  /** Most contexts of one adapter (concurrent requests to one model; default 2). */
  maxContextsPerAdapter?: number;
  /** Most bytes the contexts may take together (llama's own estimate of each); default: no memory budget. */
  maxContextBytes?: number;
  /** Most requests waiting for a context; one more gets 503 at once (default 64). */
  maxQueue?: number;
  /** How long a request waits for a context before 503 (default 30 000 ms). */
  queueTimeoutMs?: number;
};

/** The files of one served model: a base GGUF and an optional LoRA adapter GGUF, by path and sha-256. */
export type LlamaFiles = {
  baseFile: string;
  /** sha-256 (hex) of the base file as registered: the base is loaded once per hash, and checked against it. */
  baseSha256: string;
  adapterFile?: string;
  adapterSha256?: string;
  /** Strength of the adapter (llama.cpp's LoRA scale; default 1). */
  scale: number;
  /** Tokens one context holds, as registered: caps the model's input and output token limits. */
  contextSize?: number;
};

/** What registration learns of a model's files (loading them, so that a bad file fails there, not at a request). */
export type LlamaInspection = {
  baseSha256: string;
  adapterSha256?: string;
  /** Tokens one context of this base holds (the config's, capped by the base's training context). */
  contextSize: number;
  /** The base's training context, vocabulary size and architecture (GGUF metadata). */
  trainContextSize: number;
  vocabSize: number;
  architecture: string;
  /** llama's estimate of one context's memory, in bytes. */
  contextBytes: number;
  /** Size of the adapter file (its LoRA tensors stay loaded while the base is). */
  adapterBytes: number;
};

/** Parameters of one generation. */
export type LlamaGenerateParameters = {
  /** The model's name, for error messages. */
  model?: string;
  prompt: string;
  maxTokens: number;
  /** 0 = greedy (deterministic); otherwise sampled with `seed` (same seed, same output). */
  temperature: number;
  seed: number;
  /** Aborts the generation (the client left); the text so far is returned with `finishReason: "aborted"`. */
  signal?: AbortSignal;
  /** Called with each text delta as it is generated (streaming), and the output tokens it completes. */
  onText?: (delta: string, outputTokens: number) => void;
};

/** The result of one generation. */
export type LlamaGeneration = {
  text: string;
  /** Tokens generated (the base's tokenizer), end-of-generation token excluded. */
  outputTokens: number;
  /** Tokens of the prompt (the base's tokenizer), BOS excluded. */
  inputTokens: number;
  finishReason: "stop" | "length" | "aborted";
  /** True when a context had to be created (cold adapter load). */
  cold: boolean;
  waitedMs: number;
  generateMs: number;
};

/** Counters of the runtime, for operators and the benchmark. */
export type LlamaRuntimeStats = {
  /** Whether llama.cpp is loaded (it is loaded on first use). */
  loaded: boolean;
  threads: number;
  bases: number;
  contexts: number;
  busy: number;
  waiting: number;
  /** llama's estimate of the contexts' memory. */
  contextBytes: number;
  created: number;
  reused: number;
  evicted: number;
  refused: number;
  /** Contexts alive per model key (`<base sha>/<adapter sha>@<scale>`). */
  perKey: Record<string, number>;
};

/** The node's local llama runtime: base models loaded once, a pool of contexts per adapter, LRU across them. */
export type LlamaRuntime = {
  readonly config: Readonly<Required<Omit<LlamaConfig, "maxContextBytes">>> & { maxContextBytes?: number };
  /**
   * Hashes and loads a base (and adapter) as registration does: 404 `LLAMA_FILE_NOT_FOUND`, 422
   * `LLAMA_BASE_INVALID` / `LLAMA_ADAPTER_INVALID` (llama.cpp's reason in the message). Leaves a warm context.
   */
  inspect(files: { baseFile: string; adapterFile?: string; scale?: number }): Promise<LlamaInspection>;
  /** The base's tokenizer (loading the base): its counts are what receipts record as input tokens. */
  tokenizerOf(files: LlamaFiles): Promise<{ encode(text: string): readonly number[] }>;
  /** Tokens one context of the base holds. */
  contextSizeOf(files: LlamaFiles): Promise<number>;
  /**
   * Generates: 400 `CONTEXT_LENGTH_EXCEEDED` when prompt + max tokens do not fit a context, 503
   * `LLAMA_SATURATED` when no context frees up in time.
   */
  generate(files: LlamaFiles, params: LlamaGenerateParameters): Promise<LlamaGeneration>;
  stats(): LlamaRuntimeStats;
  /** Frees every context and model and llama.cpp itself. */
  dispose(): Promise<void>;
};
