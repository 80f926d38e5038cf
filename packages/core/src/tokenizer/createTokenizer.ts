import r50k from "gpt-tokenizer/encoding/r50k_base";

/** Name recorded in every attribution index header; build and query must agree on it. */
export const TOKENIZER_NAME = "r50k_base";

/** Number of token ids of r50k_base (GPT-2): every id fits in 16 bits. */
export const TOKENIZER_VOCAB_SIZE = 50257;

/** A fixed BPE tokenizer whose ids fit in a Uint16Array. */
export type Tokenizer = {
  /** Stable name, written into index headers (`r50k_base`). */
  readonly name: string;
  /** Ids are in `[0, vocabSize)`. */
  readonly vocabSize: number;
  /** Text to token ids. Special-token strings such as `<|endoftext|>` are encoded as plain text. */
  encode(text: string): Uint16Array;
  /** Token ids back to text (lossless for ids produced by `encode`). */
  decode(tokens: ArrayLike<number>): string;
  /**
   * UTF-16 offset in the decoded text where each token starts, plus one final entry with the total length
   * (`offsets.length === tokens.length + 1`). A token that ends inside a multi-byte character is given the
   * start of that character, so every offset lands on a character boundary.
   */
  charOffsets(tokens: ArrayLike<number>): Uint32Array;
  /**
   * `1` for token ids whose text holds a letter or a digit ("content" tokens), `0` for whitespace and
   * punctuation, indexed by token id. Built on first use.
   */
  contentTokens(): Uint8Array;
};

// Empty disallow set: user text that happens to contain "<|endoftext|>" must tokenize like any other
// text, not throw (the package throws by default).
const ENCODE_OPTIONS = { disallowedSpecial: new Set<string>() };

/**
 * Creates the r50k_base (GPT-2) tokenizer used by attribution indexes. Only this encoding is loaded
 * (encoding-specific entry of `gpt-tokenizer`), so importing it costs one rank table.
 *
 * @example
 * const tok = createTokenizer();
 * tok.encode("Call me Ishmael."); // Uint16Array [14134, 502, 1148, 21720, 417, 13]
 */
export function createTokenizer(): Tokenizer {
  function encode(text: string): Uint16Array {
    return Uint16Array.from(r50k.encode(text, ENCODE_OPTIONS));
  }
  function decode(tokens: ArrayLike<number>): string {
    return r50k.decode(Array.from(tokens));
  }
  function charOffsets(tokens: ArrayLike<number>): Uint32Array {
    const n = tokens.length;
    const offsets = new Uint32Array(n + 1);
    // decodeGenerator pulls one token at a time and yields only once a character is complete, so the
    // number of tokens pulled when a piece comes out tells which tokens produced it.
    let pulled = 0;
    function* source(): Generator<number> {
      for (let i = 0; i < n; i++) {
        pulled = i + 1;
        yield tokens[i] as number;
      }
    }
    let chars = 0;
    let assigned = 0;
    for (const piece of r50k.decodeGenerator(source())) {
      for (let k = assigned; k < pulled; k++) offsets[k] = chars;
      assigned = pulled;
      chars += piece.length;
    }
    for (let k = assigned; k <= n; k++) offsets[k] = chars;
    return offsets;
  }
  let content: Uint8Array | undefined;
  function contentTokens(): Uint8Array {
    if (content === undefined) {
      content = new Uint8Array(TOKENIZER_VOCAB_SIZE);
      const word = /[\p{L}\p{N}]/u;
      for (let id = 0; id < TOKENIZER_VOCAB_SIZE; id++) content[id] = word.test(r50k.decode([id])) ? 1 : 0;
    }
    return content;
  }
  return {
    name: TOKENIZER_NAME,
    vocabSize: TOKENIZER_VOCAB_SIZE,
    encode,
    decode,
    charOffsets,
    contentTokens,
  };
}
