import { ApiError } from "../api/ApiError.ts";
import type { GatewayConfig } from "../context/NodeContext.ts";

/** Default most input tokens a prompt may have (node config `gateway.maxInputTokens` overrides it). */
export const DEFAULT_MAX_INPUT_TOKENS = 8_192;
/** Default most UTF-8 bytes a prompt may have, checked before tokenizing (`gateway.maxPromptBytes`). */
export const DEFAULT_MAX_PROMPT_BYTES = 256 * 1024;
/** Default most output tokens a request may ask for (`gateway.maxOutputTokens`); also the hard cap. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;
/** Bounds of a per-model or node-wide limit. */
export const LIMIT_BOUNDS = {
  maxInputTokens: { min: 1, max: 1_000_000 },
  maxPromptBytes: { min: 1, max: 16 * 1024 * 1024 },
  maxOutputTokens: { min: 1, max: DEFAULT_MAX_OUTPUT_TOKENS },
} as const;

/** The size limits of one model's requests: what the gateway accepts before it charges anything. */
export type ModelLimits = {
  /** Most input tokens (the receipt's tokenizer count of the prompt, what `inputTokens` records). */
  maxInputTokens: number;
  /** Most UTF-8 bytes of the prompt (as hashed and stored), checked before tokenizing. */
  maxPromptBytes: number;
  /** Most output tokens (`max_tokens` / `max_completion_tokens`). */
  maxOutputTokens: number;
};

/** A model's own limits as stored (null = the node's default). */
export type StoredModelLimits = {
  max_input_tokens: number | null;
  max_prompt_bytes: number | null;
  max_output_tokens: number | null;
};

/**
 * The node-wide limits: `GatewayConfig` or the defaults (8192 input tokens, 256 KiB, 4096 output tokens).
 *
 * @example
 * nodeLimits({ maxInputTokens: 2048 }); // { maxInputTokens: 2048, maxPromptBytes: 262144, maxOutputTokens: 4096 }
 */
export function nodeLimits(config: GatewayConfig | undefined): ModelLimits {
  const limits = {
    maxInputTokens: config?.maxInputTokens ?? DEFAULT_MAX_INPUT_TOKENS,
    maxPromptBytes: config?.maxPromptBytes ?? DEFAULT_MAX_PROMPT_BYTES,
    maxOutputTokens: config?.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS,
  };
  for (const key of Object.keys(LIMIT_BOUNDS) as (keyof ModelLimits)[]) {
    const { min, max } = LIMIT_BOUNDS[key];
    const v = limits[key];
    if (!Number.isSafeInteger(v) || v < min || v > max) {
      throw new Error(`gateway.${key} is ${v}; it must be an integer in ${min}..${max}`);
    }
  }
  return limits;
}

/**
 * A model's limits: its own where it has them (set at `POST /v1/models`), else the node's (models registered
 * before limits existed, or without any).
 */
export function modelLimits(row: StoredModelLimits, defaults: ModelLimits): ModelLimits {
  return {
    maxInputTokens: row.max_input_tokens ?? defaults.maxInputTokens,
    maxPromptBytes: row.max_prompt_bytes ?? defaults.maxPromptBytes,
    maxOutputTokens: row.max_output_tokens ?? defaults.maxOutputTokens,
  };
}

/** Parameters of {@link checkPrompt}. */
export type CheckPromptParameters = {
  /** The prompt as hashed and stored (a chat's rendered messages). */
  prompt: string;
  /** Model name, for the message. */
  model: string;
  limits: ModelLimits;
  /** The receipt's tokenizer (a llama model's own): the count is what `inputTokens` records and the price charges. */
  tokenizer: { encode(text: string): ArrayLike<number> };
};

const promptHint = (model: string, limits: ModelLimits) =>
  `Model ${model} accepts prompts of at most ${limits.maxInputTokens} input tokens and ${limits.maxPromptBytes} bytes: shorten the prompt (or the conversation), or ask the node operator for a model with a larger limit. Nothing was charged.`;

/**
 * Checks a prompt against the model's limits, bytes first (cheap, before tokenizing anything large), then input
 * tokens, and returns its input token count (what the receipt records and the price charges). Throws 413
 * `PROMPT_TOO_LARGE` naming the limit and the count; nothing has been reserved or charged at that point.
 *
 * @example
 * const inputTokens = checkPrompt({ prompt, model: "moby", limits, tokenizer: ctx.tokenizer });
 */
export function checkPrompt({ prompt, model, limits, tokenizer }: CheckPromptParameters): number {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit: a short prompt cannot exceed the limit, skip counting.
  const bytes = prompt.length * 3 <= limits.maxPromptBytes ? 0 : Buffer.byteLength(prompt, "utf8");
  if (bytes > limits.maxPromptBytes) {
    throw new ApiError(
      413,
      "PROMPT_TOO_LARGE",
      `the prompt is ${bytes} bytes; model ${model} accepts at most ${limits.maxPromptBytes} bytes`,
      promptHint(model, limits),
    );
  }
  const tokens = tokenizer.encode(prompt).length;
  if (tokens > limits.maxInputTokens) {
    throw new ApiError(
      413,
      "PROMPT_TOO_LARGE",
      `the prompt is ${tokens} input tokens; model ${model} accepts at most ${limits.maxInputTokens} input tokens`,
      promptHint(model, limits),
    );
  }
  return tokens;
}

/**
 * Checks the requested output tokens against the model's `maxOutputTokens`: 400 `MAX_TOKENS_TOO_LARGE` naming
 * both.
 *
 * @example
 * checkMaxTokens(256, "moby", limits);
 */
export function checkMaxTokens(maxTokens: number, model: string, limits: ModelLimits): void {
  if (maxTokens > limits.maxOutputTokens) {
    throw new ApiError(
      400,
      "MAX_TOKENS_TOO_LARGE",
      `max_tokens is ${maxTokens}; model ${model} generates at most ${limits.maxOutputTokens} output tokens`,
      `Ask for at most ${limits.maxOutputTokens} tokens (max_tokens or max_completion_tokens). Nothing was charged.`,
    );
  }
}
