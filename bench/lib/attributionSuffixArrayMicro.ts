/**
 * Micro-benchmark of the suffix array's in-memory form (run by hand, not part of bench:attribution):
 *   node --max-old-space-size=8192 --import tsx bench/lib/attributionSuffixArrayMicro.ts <v1 index> <head src>
 * Times `longestMatches` (the search-bound part of span-v1) over the same pre-tokenized outputs with the
 * packed array (this checkout) and the plain Uint32Array (format-1 code in <head src>), alternating
 * batches; reports the fastest batch of each (robust to other load on the machine) and the median.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  type AttributionIndex,
  createRandom,
  longestMatches,
  packSuffixArray,
  suffixArrayWidth,
} from "../../packages/core/src/attribution/index.ts";

const [indexPath, headSrc] = process.argv.slice(2) as [string, string];
type HeadAttribution = typeof import("../../packages/core/src/attribution/index.ts");
const head = (await import(join(headSrc, "attribution", "index.ts"))) as HeadAttribution;
const { index: plain } = await head.decodeIndex(readFileSync(indexPath), { verify: false });
const packed: AttributionIndex = {
  ...plain,
  formatVersion: 2,
  suffixArray: packSuffixArray(
    plain.suffixArray as unknown as Uint32Array,
    suffixArrayWidth(plain.tokens.length),
  ),
};
// Outputs: 500 tokens, half runs copied from indexed documents, half random tokens (unmatched quickly).
const rng = createRandom(1n);
const outputs: Uint16Array[] = [];
for (let o = 0; o < 200; o++) {
  const toks: number[] = [];
  while (toks.length < 500) {
    const len = 6 + Math.floor(rng.nextFloat() * 40);
    if (rng.nextFloat() < 0.5) {
      const at = Math.floor(rng.nextFloat() * (plain.tokens.length - len));
      for (let k = 0; k < len; k++) {
        const t = plain.tokens[at + k] as number;
        if (t !== 0xffff) toks.push(t);
      }
    } else for (let k = 0; k < len; k++) toks.push(Math.floor(rng.nextFloat() * 50257));
  }
  outputs.push(Uint16Array.from(toks.slice(0, 500)));
}
const batch = (ix: AttributionIndex, lm: typeof longestMatches): number => {
  const s = performance.now();
  let sum = 0;
  for (const o of outputs) sum += (lm(ix, o)[0] as number) & 1;
  return performance.now() - s + sum * 0;
};
for (const o of outputs.slice(0, 20)) {
  if (longestMatches(packed, o).join() !== head.longestMatches(plain, o).join()) throw new Error("mismatch");
}
const times = { packed: [] as number[], plain: [] as number[] };
for (let r = 0; r < Number(process.env.ROUNDS ?? 12); r++) {
  times.packed.push(batch(packed, longestMatches));
  times.plain.push(batch(plain, head.longestMatches));
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const perQuery = (ms: number) => +(ms / outputs.length).toFixed(3);
console.log(
  JSON.stringify({
    tokens: plain.tokens.length,
    width: packed.suffixArray.width,
    msPerOutput: {
      packed: { min: perQuery(Math.min(...times.packed)), median: perQuery(med(times.packed)) },
      plain: { min: perQuery(Math.min(...times.plain)), median: perQuery(med(times.plain)) },
    },
  }),
);
