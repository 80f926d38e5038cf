/** Integer text accepted by {@link buildSuffixArray}: every value in `[0, alphabetSize)`. */
export type SuffixArrayText = Uint16Array | Int32Array | Uint32Array;

/**
 * Builds the suffix array of `text` in linear time with SA-IS (Nong, Zhang & Chan 2009) on typed arrays.
 * Suffix `i` is `text[i..]`; a virtual sentinel smaller than every symbol ends the text, so a suffix that is a
 * prefix of another sorts first. Lengths up to 2^31 - 1.
 *
 * The reduced problem of each recursion level lives inside the output array (as in Yuta Mori's sais), so the
 * extra memory is one byte per symbol for the L/S types plus one bucket table per level.
 *
 * @example
 * buildSuffixArray(Uint16Array.of(2, 1, 2, 1, 0), 3); // Int32Array [4, 3, 1, 2, 0]
 */
export function buildSuffixArray(text: SuffixArrayText, alphabetSize: number): Int32Array {
  const n = text.length;
  if (n >= 2 ** 31) throw new RangeError(`buildSuffixArray: text of ${n} symbols exceeds 2^31 - 1`);
  const sa = new Int32Array(n);
  if (n === 0) return sa;
  if (n === 1) return sa; // sa[0] = 0
  sais(text, sa, n, alphabetSize);
  return sa;
}

function bucketBounds(counts: Int32Array, bkt: Int32Array, ends: boolean): void {
  let sum = 0;
  const k = counts.length;
  for (let c = 0; c < k; c++) {
    const cnt = counts[c] as number;
    if (ends) {
      sum += cnt;
      bkt[c] = sum;
    } else {
      bkt[c] = sum;
      sum += cnt;
    }
  }
}

function induce(
  text: SuffixArrayText,
  sa: Int32Array,
  n: number,
  types: Uint8Array,
  counts: Int32Array,
  bkt: Int32Array,
): void {
  // L-type suffixes, left to right. The suffix n-1 precedes the virtual sentinel, so it is L-type and the
  // smallest of its bucket.
  bucketBounds(counts, bkt, false);
  const last = text[n - 1] as number;
  sa[bkt[last] as number] = n - 1;
  bkt[last] = (bkt[last] as number) + 1;
  for (let i = 0; i < n; i++) {
    const j = (sa[i] as number) - 1;
    if (j >= 0 && types[j] === 0) {
      const c = text[j] as number;
      sa[bkt[c] as number] = j;
      bkt[c] = (bkt[c] as number) + 1;
    }
  }
  // S-type suffixes, right to left.
  bucketBounds(counts, bkt, true);
  for (let i = n - 1; i >= 0; i--) {
    const j = (sa[i] as number) - 1;
    if (j >= 0 && types[j] === 1) {
      const c = text[j] as number;
      const at = (bkt[c] as number) - 1;
      bkt[c] = at;
      sa[at] = j;
    }
  }
}

function sais(text: SuffixArrayText, sa: Int32Array, n: number, k: number): void {
  // types[i] = 1 for S-type (text[i..] < text[i+1..]), 0 for L-type.
  const types = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) {
    const a = text[i] as number;
    const b = text[i + 1] as number;
    types[i] = a < b || (a === b && types[i + 1] === 1) ? 1 : 0;
  }
  const isLms = (i: number): boolean => i > 0 && types[i] === 1 && types[i - 1] === 0;

  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) counts[text[i] as number] = (counts[text[i] as number] as number) + 1;
  const bkt = new Int32Array(k);

  // Stage 1: sort LMS substrings by placing LMS positions at bucket ends and inducing.
  sa.fill(-1);
  bucketBounds(counts, bkt, true);
  for (let i = 1; i < n; i++) {
    if (isLms(i)) {
      const c = text[i] as number;
      const at = (bkt[c] as number) - 1;
      bkt[c] = at;
      sa[at] = i;
    }
  }
  induce(text, sa, n, types, counts, bkt);

  // Compact the sorted LMS positions into sa[0..m).
  let m = 0;
  for (let i = 0; i < n; i++) {
    const p = sa[i] as number;
    if (isLms(p)) sa[m++] = p;
  }
  if (m === 0) {
    // No LMS position: the text is non-increasing, and the induced order above is already final.
    sa.fill(-1);
    induce(text, sa, n, types, counts, bkt);
    return;
  }

  // Name the LMS substrings; equal substrings get equal names.
  sa.fill(-1, m, n);
  let name = 0;
  let prev = -1;
  for (let i = 0; i < m; i++) {
    const pos = sa[i] as number;
    let diff = false;
    if (prev === -1) diff = true;
    else {
      for (let d = 0; ; d++) {
        // Reaching the end means meeting the unique sentinel: the substrings differ.
        if (pos + d === n || prev + d === n) {
          diff = true;
          break;
        }
        if (text[pos + d] !== text[prev + d] || types[pos + d] !== types[prev + d]) {
          diff = true;
          break;
        }
        if (d > 0 && (isLms(pos + d) || isLms(prev + d))) break;
      }
    }
    if (diff) {
      name++;
      prev = pos;
    }
    // LMS positions are at least two apart, so pos >> 1 is a collision-free slot in sa[m..n).
    sa[m + (pos >> 1)] = name - 1;
  }
  // Gather the names, in text order, into sa[n-m..n): the reduced string.
  for (let i = n - 1, j = n - 1; i >= m; i--) {
    const v = sa[i] as number;
    if (v >= 0) sa[j--] = v;
  }
  const s1 = sa.subarray(n - m, n);
  const sa1 = sa.subarray(0, m);

  // Stage 2: sort the LMS suffixes, recursing while names are not unique.
  if (name < m) sais(s1, sa1, m, name);
  else for (let i = 0; i < m; i++) sa1[s1[i] as number] = i;

  // Stage 3: map reduced ranks back to positions, place them at bucket ends in order, and induce.
  for (let i = 1, j = 0; i < n; i++) if (isLms(i)) s1[j++] = i;
  for (let i = 0; i < m; i++) sa1[i] = s1[sa1[i] as number] as number;
  sa.fill(-1, m, n);
  bucketBounds(counts, bkt, true);
  for (let i = m - 1; i >= 0; i--) {
    const j = sa[i] as number;
    sa[i] = -1;
    const c = text[j] as number;
    const at = (bkt[c] as number) - 1;
    bkt[c] = at;
    sa[at] = j;
  }
  induce(text, sa, n, types, counts, bkt);
}
