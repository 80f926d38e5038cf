import { ApiError } from "../../api/ApiError.ts";

/** 404 `LLAMA_FILE_NOT_FOUND`: a base or adapter path the node cannot read. */
export function fileNotFound(what: "base" | "adapter", path: string, cause: unknown): ApiError {
  return new ApiError(
    404,
    "LLAMA_FILE_NOT_FOUND",
    `the ${what} GGUF file ${path} cannot be read: ${(cause as Error).message ?? String(cause)}`,
    `Give the absolute path of a ${what === "base" ? "base model" : "LoRA adapter"} GGUF file on this node's disk (readable by the node's user).`,
    { cause },
  );
}

/** 422 `LLAMA_BASE_INVALID` / `LLAMA_ADAPTER_INVALID`: llama.cpp refused the file (its reason in the message). */
export function invalidFile(
  what: "base" | "adapter",
  path: string,
  reason: string,
  cause?: unknown,
): ApiError {
  return new ApiError(
    422,
    what === "base" ? "LLAMA_BASE_INVALID" : "LLAMA_ADAPTER_INVALID",
    `llama.cpp cannot load the ${what} GGUF ${path}: ${reason}`,
    what === "base"
      ? "Give a complete GGUF model file of an architecture llama.cpp supports (e.g. a llama or qwen2 GGUF, quantized or not); check the file is not truncated."
      : "Give a LoRA adapter GGUF (general.type = adapter, adapter.type = lora) trained on this very base model: its tensors must match the base's shapes. Check the file is not truncated.",
    { cause, retryable: false },
  );
}

/** 409 `LLAMA_FILE_CHANGED`: the file on disk is no longer the one registered (its sha-256 differs). */
export function fileChanged(path: string, expected: string, actual: string): ApiError {
  return new ApiError(
    409,
    "LLAMA_FILE_CHANGED",
    `the GGUF file ${path} has sha-256 ${actual}, but the model was registered with ${expected}`,
    "Put the registered file back, or register the new file as a new model (its hash is part of the model's identity on chain).",
    { retryable: false },
  );
}

/** 400 `CONTEXT_LENGTH_EXCEEDED`: prompt and max tokens do not fit one context. */
export function contextLengthExceeded(
  model: string,
  input: number,
  maxTokens: number,
  size: number,
): ApiError {
  return new ApiError(
    400,
    "CONTEXT_LENGTH_EXCEEDED",
    `model ${model} holds ${size} tokens; the prompt has ${input} and max_tokens asks for ${maxTokens}`,
    `Shorten the prompt or lower max_tokens so that together they stay within ${size} tokens. Nothing was charged.`,
  );
}
