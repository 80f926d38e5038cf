import type { LlamaModel, Token } from "node-llama-cpp";

/** Turns generated tokens into text deltas as they come. */
export type Detokenizer = {
  /** The text that `token` completes (empty while it ends inside a multi-byte character). */
  push(token: Token): string;
  /** Whatever is still held back (an incomplete character at the end of the output). */
  flush(): string;
};

/** Tokens held back at most while they decode to an incomplete character (a UTF-8 char is at most 4 bytes). */
const MAX_PENDING = 4;

/**
 * Creates an incremental detokenizer: a delta is emitted once its tokens decode to complete characters (byte
 * fallback tokens of one character arrive one by one), each detokenized with the tokens before it as context
 * (so that SentencePiece's leading space is kept). Concatenated deltas are the output text; the stream and the
 * non-streamed answer use this same text.
 *
 * @example
 * const d = createDetokenizer(model);
 * for await (const t of sequence.evaluate(tokens)) send(d.push(t));
 * send(d.flush());
 */
export function createDetokenizer(model: LlamaModel, context: readonly Token[]): Detokenizer {
  const done: Token[] = [...context];
  let pending: Token[] = [];
  const take = () => {
    const text = model.detokenize(pending, false, done.slice(-8));
    done.push(...pending);
    pending = [];
    return text;
  };
  return {
    push(token) {
      pending.push(token);
      const text = model.detokenize(pending, false, done.slice(-8));
      if (text.endsWith("\uFFFD") && pending.length < MAX_PENDING) return "";
      done.push(...pending);
      pending = [];
      return text;
    },
    flush: () => (pending.length > 0 ? take() : ""),
  };
}
