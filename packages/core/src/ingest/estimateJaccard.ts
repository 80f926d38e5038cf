import { invalidParameter } from "./errors.ts";

function isEmptySignature(s: Uint32Array): boolean {
  for (let i = 0; i < s.length; i++) if (s[i] !== 0xffffffff) return false;
  return true;
}

/**
 * The Jaccard similarity of two shingle sets estimated from their MinHash signatures: the fraction of
 * positions where they agree (0 to 1). The signature of a text without words is similar to nothing (0).
 * Throws `INVALID_PARAMETER` when the lengths differ (signatures of different hashers are not comparable).
 *
 * @example
 * estimateJaccard(hasher.signature(text), hasher.signature(text)); // 1
 */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length || a.length === 0) {
    invalidParameter(
      `signatures of lengths ${a.length} and ${b.length} cannot be compared`,
      "Compare signatures made by the same MinHasher.",
    );
  }
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  if (equal === a.length && isEmptySignature(a)) return 0;
  return equal / a.length;
}
