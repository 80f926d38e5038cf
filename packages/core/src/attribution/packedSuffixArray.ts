import { AttributionError } from "./errors.ts";

/**
 * A suffix array stored with `width` bits per entry, bit-packed little-endian into 32-bit words: entry `i`
 * occupies bits `[i·width, (i+1)·width)` of the word stream (bit 0 = least significant bit of word 0). One
 * extra zero word at the end lets {@link saAt} always read two words, without a branch or a bounds check.
 */
export type PackedSuffixArray = {
  /** Number of entries. */
  readonly length: number;
  /** Bits per entry, 1..32. */
  readonly width: number;
  /** `2^width - 1` (as a uint32). */
  readonly mask: number;
  /** `packedWordCount(length, width)` words; unused high bits and the guard word are zero. */
  readonly words: Uint32Array;
};

/**
 * Bits per suffix-array entry of an index of `tokenCount` tokens: `ceil(log2(tokenCount))`, the fewest bits
 * that hold every position `0..tokenCount-1` (at least 1).
 *
 * @example
 * suffixArrayWidth(100_000_000); // 27
 */
export function suffixArrayWidth(tokenCount: number): number {
  return tokenCount <= 2 ? 1 : 32 - Math.clz32(tokenCount - 1);
}

/**
 * Number of 32-bit words holding `length` entries of `width` bits, plus the zero guard word.
 *
 * @example
 * packedWordCount(32, 27); // 28
 */
export function packedWordCount(length: number, width: number): number {
  return Math.ceil((length * width) / 32) + 1;
}

function maskOf(width: number): number {
  return width === 32 ? 0xffffffff : 2 ** width - 1;
}

function checkWidth(width: number): void {
  if (!Number.isInteger(width) || width < 1 || width > 32) {
    throw new AttributionError(
      "INVALID_PARAMETER",
      `suffix array width ${width} is not in [1, 32]`,
      "Use suffixArrayWidth(tokenCount).",
    );
  }
}

/**
 * Packs `values` (each `< 2^width`) into a {@link PackedSuffixArray}. Throws `INVALID_PARAMETER` for a value
 * that does not fit, so a wrong width is never silently truncated.
 *
 * @example
 * const sa = packSuffixArray(Uint32Array.of(3, 0, 2, 1), 2);
 * saAt(sa, 0); // 3
 */
export function packSuffixArray(values: ArrayLike<number>, width: number): PackedSuffixArray {
  checkWidth(width);
  const length = values.length;
  const mask = maskOf(width);
  const words = new Uint32Array(packedWordCount(length, width));
  let word = 0;
  let bit = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i] as number;
    if (!(v >= 0 && v <= mask && Number.isInteger(v))) {
      throw new AttributionError(
        "INVALID_PARAMETER",
        `suffix array entry ${v} at ${i} does not fit in ${width} bits`,
        "Use suffixArrayWidth(tokenCount) as the width.",
      );
    }
    words[word] = (words[word] as number) | (v << bit);
    if (bit + width > 32) words[word + 1] = v >>> (32 - bit);
    bit += width;
    if (bit >= 32) {
      word++;
      bit -= 32;
    }
  }
  return { length, width, mask, words };
}

/**
 * A {@link PackedSuffixArray} over existing words (e.g. a view into an index file), without copying.
 * `words` must hold exactly `packedWordCount(length, width)` words.
 */
export function packedSuffixArrayOf(words: Uint32Array, length: number, width: number): PackedSuffixArray {
  checkWidth(width);
  if (words.length !== packedWordCount(length, width)) {
    throw new AttributionError(
      "INVALID_PARAMETER",
      `${words.length} words cannot hold exactly ${length} entries of ${width} bits`,
      "Pass packedWordCount(length, width) words.",
    );
  }
  return { length, width, mask: maskOf(width), words };
}

/**
 * Entry `i` of a packed suffix array (`0 <= i < sa.length`; not checked): two 32-bit reads and shifts, no
 * allocation. The 32 entries `32k..32k+31` occupy exactly the `width` words from `k·width`, so every
 * intermediate stays a 31-bit integer for any index below 2^31.
 *
 * @example
 * for (let i = range.start; i < range.end; i++) positions.push(saAt(index.suffixArray, i));
 */
export function saAt(sa: PackedSuffixArray, i: number): number {
  const w = sa.width;
  const r = (i & 31) * w;
  const word = (i >>> 5) * w + (r >>> 5);
  const shift = r & 31;
  const words = sa.words;
  // `<< (31 - shift) << 1` shifts by 32 - shift and gives 0 when shift is 0 (a JS shift by 32 is a no-op).
  return (
    ((((words[word] as number) >>> shift) | (((words[word + 1] as number) << (31 - shift)) << 1)) &
      sa.mask) >>>
    0
  );
}

/**
 * Every entry as a plain `Uint32Array` (4 bytes per entry), e.g. for tests or tools.
 *
 * @example
 * Array.from(unpackSuffixArray(index.suffixArray));
 */
export function unpackSuffixArray(sa: PackedSuffixArray): Uint32Array {
  const out = new Uint32Array(sa.length);
  for (let i = 0; i < sa.length; i++) out[i] = saAt(sa, i);
  return out;
}
