import type { LlamaFiles, LlamaGenerateParameters, LlamaGeneration, LlamaRuntime } from "./types.ts";

/** A generation as a stream of text deltas, with the output tokens behind what was sent. */
export type GenerationStream = {
  /** The deltas; throws what the generation threw (before any delta: an error response). */
  iterator: AsyncIterator<string>;
  /** Output tokens (the model's tokenizer) behind the first `count` deltas: what a receipt of them charges. */
  tokensAt(count: number): number;
  /** `length` when max tokens stopped it, else `stop`. */
  finishReason(): "stop" | "length";
};

/**
 * Runs a generation on its own (it holds a context until it ends or `params.signal` aborts, whether or not the
 * deltas are read) and hands its deltas over as an async iterator, for `streamBilled`.
 *
 * @example
 * const s = streamGeneration(runtime, files, { prompt, maxTokens, temperature, seed });
 * return streamBilled({ ..., open: () => s.iterator, finishReason: s.finishReason, settle: ({ count, text }) => ... s.tokensAt(count) });
 */
export function streamGeneration(
  runtime: LlamaRuntime,
  files: LlamaFiles,
  params: LlamaGenerateParameters,
): GenerationStream {
  const deltas: string[] = [];
  const tokensAfter: number[] = [];
  let result: LlamaGeneration | undefined;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  runtime
    .generate(files, {
      ...params,
      onText: (delta, outputTokens) => {
        deltas.push(delta);
        tokensAfter.push(outputTokens);
        notify();
      },
    })
    .then(
      (r) => {
        result = r;
      },
      (error: unknown) => {
        failure = { error };
      },
    )
    .finally(notify);
  let read = 0;
  return {
    iterator: {
      async next(): Promise<IteratorResult<string>> {
        for (;;) {
          if (read < deltas.length) return { value: deltas[read++] as string, done: false };
          if (failure) throw failure.error;
          if (result) return { value: undefined, done: true };
          await new Promise<void>((r) => {
            wake = r;
          });
        }
      },
    },
    tokensAt(count) {
      if (result && count >= deltas.length) return result.outputTokens;
      return count === 0 ? 0 : (tokensAfter[count - 1] ?? 0);
    },
    finishReason: () => (result?.finishReason === "length" ? "length" : "stop"),
  };
}
