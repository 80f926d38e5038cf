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
  // Decoding goes through our own byte table and UTF-8 decoder, never the package's: its decoder is one
  // shared TextDecoder in streaming mode that is never flushed, so a decode ending inside a character
  // leaves bytes behind that shift the next call's text. Ours is a pure function of the tokens.
  function decode(tokens: ArrayLike<number>): string {
    return decodeUtf8WithOffsets(tokenBytesOf(tokens), undefined).text;
  }
  function charOffsets(tokens: ArrayLike<number>): Uint32Array {
    const n = tokens.length;
    const table = byteTable();
    const starts = new Uint32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      starts[i] = total;
      total += tokenBytes(table, tokens[i] as number).length;
    }
    starts[n] = total;
    return decodeUtf8WithOffsets(tokenBytesOf(tokens), starts).offsets;
  }
  let content: Uint8Array | undefined;
  function contentTokens(): Uint8Array {
    if (content === undefined) {
      content = new Uint8Array(TOKENIZER_VOCAB_SIZE);
      const word = /[\p{L}\p{N}]/u;
      for (let id = 0; id < TOKENIZER_VOCAB_SIZE; id++) content[id] = word.test(decode([id])) ? 1 : 0;
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

type ByteTable = (Uint8Array | undefined)[];
let sharedTable: ByteTable | undefined;
const utf8 = new TextEncoder();

/**
 * The UTF-8 bytes of every token id, built once from the package's rank table (the one place we reach
 * into it: `tryDecodeToken` gives a token's bytes, as a string when they are whole UTF-8, else raw).
 */
function byteTable(): ByteTable {
  if (sharedTable) return sharedTable;
  const core = (
    r50k as unknown as {
      bytePairEncodingCoreProcessor?: { tryDecodeToken(id: number): string | Uint8Array | undefined };
    }
  ).bytePairEncodingCoreProcessor;
  if (!core || typeof core.tryDecodeToken !== "function") {
    throw new Error("gpt-tokenizer changed its internals: cannot read token bytes; pin gpt-tokenizer@4.0.0");
  }
  const table: ByteTable = new Array(TOKENIZER_VOCAB_SIZE);
  for (let id = 0; id < TOKENIZER_VOCAB_SIZE; id++) {
    const v = core.tryDecodeToken.call(core, id);
    table[id] = v === undefined ? undefined : typeof v === "string" ? utf8.encode(v) : Uint8Array.from(v);
  }
  sharedTable = table;
  return table;
}

function tokenBytes(table: ByteTable, id: number): Uint8Array {
  const bytes = table[id];
  if (!bytes) throw new RangeError(`token id ${id} is not in r50k_base`);
  return bytes;
}

function tokenBytesOf(tokens: ArrayLike<number>): Uint8Array {
  const table = byteTable();
  let total = 0;
  for (let i = 0; i < tokens.length; i++) total += tokenBytes(table, tokens[i] as number).length;
  const out = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < tokens.length; i++) {
    const b = tokenBytes(table, tokens[i] as number);
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Decodes UTF-8 (a malformed sequence becomes one U+FFFD per byte that cannot start or continue a
 * character) and, when `byteStarts` is given, maps each byte offset to the UTF-16 offset of the character
 * it belongs to, so a token that starts inside a character gets that character's start.
 */
function decodeUtf8WithOffsets(
  bytes: Uint8Array,
  byteStarts: Uint32Array | undefined,
): { text: string; offsets: Uint32Array } {
  const charAt = byteStarts ? new Uint32Array(bytes.length + 1) : undefined;
  const pending: number[] = [];
  let text = "";
  let pos = 0; // UTF-16 length of everything decoded so far
  let i = 0;
  while (i < bytes.length) {
    const b0 = bytes[i] as number;
    // Sequence length from the lead byte (0 = ASCII, -1 = a byte no character starts with).
    const need =
      b0 < 0x80
        ? 0
        : b0 >= 0xc2 && b0 <= 0xdf
          ? 1
          : b0 >= 0xe0 && b0 <= 0xef
            ? 2
            : b0 >= 0xf0 && b0 <= 0xf4
              ? 3
              : -1;
    let cp =
      need === 0 ? b0 : need === 1 ? b0 & 0x1f : need === 2 ? b0 & 0x0f : need === 3 ? b0 & 0x07 : 0xfffd;
    let len = 1;
    if (need > 0) {
      let ok = i + need < bytes.length;
      for (let k = 1; ok && k <= need; k++) {
        const c = bytes[i + k] as number;
        if ((c & 0xc0) !== 0x80) ok = false;
        else cp = (cp << 6) | (c & 0x3f);
      }
      // Overlong, surrogate and out-of-range forms are malformed too.
      if (ok && need === 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ok = false;
      if (ok && need === 3 && (cp < 0x10000 || cp > 0x10ffff)) ok = false;
      if (ok) len = need + 1;
      else cp = 0xfffd;
    } else if (need < 0) {
      cp = 0xfffd;
    }
    if (charAt) for (let k = 0; k < len; k++) charAt[i + k] = pos;
    pending.push(cp);
    pos += cp > 0xffff ? 2 : 1;
    if (pending.length >= 4096) {
      text += String.fromCodePoint(...pending);
      pending.length = 0;
    }
    i += len;
  }
  text += String.fromCodePoint(...pending);
  if (!charAt || !byteStarts) return { text, offsets: new Uint32Array(0) };
  charAt[bytes.length] = pos;
  const offsets = new Uint32Array(byteStarts.length);
  for (let t = 0; t < byteStarts.length; t++) offsets[t] = charAt[byteStarts[t] as number] as number;
  return { text, offsets };
}
