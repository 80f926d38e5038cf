/**
 * A/B of the suffix array's in-memory form (not part of `npm run bench:attribution`; run by hand):
 *   node --max-old-space-size=8192 --import tsx bench/lib/attributionSuffixArrayCompare.ts <v1 index> <head src>
 * A = packed (format 2, `saAt`, this checkout); B = plain Uint32Array read with `sa[i]` (the format-1 code
 * exported by `git archive <commit> packages/core/src` into <head src>, i.e. "unpack at load").
 * Both answer the same 500-token outputs, interleaved (ABBA order) so machine load hits both alike; the
 * results must be identical (canonicalJson, character ranges counted apart). Prints wall and CPU percentiles, and the slowest queries
 * split into tokenize / longestMatches / rest.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import {
  type AttributionIndex,
  attributeSpans,
  canonicalJson,
  createRandom,
  longestMatches,
  packSuffixArray,
  suffixArrayWidth,
} from "../../packages/core/src/attribution/index.ts";
import { createTokenizer } from "../../packages/core/src/tokenizer/index.ts";
import { loadMobyDick, loadSpamAssassin } from "./attributionCorpus.ts";

const [indexPath, headSrc] = process.argv.slice(2) as [string, string];
type HeadAttribution = typeof import("../../packages/core/src/attribution/index.ts");
const head = (await import(join(headSrc, "attribution", "index.ts"))) as HeadAttribution;
const headTok = (await import(join(headSrc, "tokenizer", "index.ts"))) as {
  createTokenizer: typeof createTokenizer;
};
const tokenizer = createTokenizer();
const headTokenizer = headTok.createTokenizer();

const { index: plain } = await head.decodeIndex(readFileSync(indexPath), { verify: false });
const plainSa = plain.suffixArray as unknown as Uint32Array;
const t0 = performance.now();
const packed: AttributionIndex = {
  ...plain,
  formatVersion: 2,
  suffixArray: packSuffixArray(plainSa, suffixArrayWidth(plain.tokens.length)),
};
const packMs = performance.now() - t0;
// What "unpack at load" costs: one pass of saAt into a fresh Uint32Array.
const u0 = performance.now();
const unpacked = new Uint32Array(packed.suffixArray.length);
for (let i = 0; i < unpacked.length; i++) {
  const sa = packed.suffixArray;
  const w = sa.width;
  const r = (i & 31) * w;
  const word = (i >>> 5) * w + (r >>> 5);
  const s = r & 31;
  unpacked[i] =
    ((((sa.words[word] as number) >>> s) | (((sa.words[word + 1] as number) << (31 - s)) << 1)) & sa.mask) >>>
    0;
}
const unpackMs = performance.now() - u0;
for (let i = 0; i < unpacked.length; i += 9973)
  if (unpacked[i] !== plainSa[i]) throw new Error(`unpack mismatch at ${i}`);

// BENCH_HEAP=1: keep alive what bench/attribution.ts keeps alive (tokenized corpus, its index, ~300k
// sentence views), so garbage collection works on a heap of the same shape as in the benchmark.
const keep: unknown[] = [];
if (process.env.BENCH_HEAP === "1") {
  const docs = [...loadMobyDick(), ...loadSpamAssassin()];
  const toks = docs.map((d) => tokenizer.encode(d.text));
  const sentences: Uint16Array[] = [];
  for (const t of toks) for (let i = 0; i < t.length; i += 20) sentences.push(t.subarray(i, i + 20));
  keep.push(
    docs,
    toks,
    sentences,
    head.buildIndexFromTokens({
      tokenizer: "r50k_base",
      vocabSize: 50257,
      documents: toks.map((t, i) => ({ contributionId: BigInt(i + 1), tokens: t })),
    }),
  );
  console.error(
    `bench-like heap: ${sentences.length} sentence views, heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`,
  );
}
const gcs: { start: number; duration: number; kind: number }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    gcs.push({
      start: e.startTime,
      duration: e.duration,
      kind: (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0,
    });
}).observe({ entryTypes: ["gc"] });
const rng = createRandom(42n);
const moby = loadMobyDick().slice(120);
const mobyTokens = moby.map((d) => tokenizer.encode(d.text));
const outputs: string[] = [];
const count = Number(process.env.COUNT ?? 300);
for (let o = 0; o < count; o++) {
  const toks: number[] = [];
  while (toks.length < 500) {
    const fromIndex = rng.nextFloat() < 0.5;
    const src = fromIndex
      ? (() => {
          const d = Math.floor(rng.nextFloat() * plain.docStarts.length);
          const s = plain.docStarts[d] as number;
          const e =
            d + 1 < plain.docStarts.length ? (plain.docStarts[d + 1] as number) - 1 : plain.tokens.length - 1;
          return plain.tokens.subarray(s, e);
        })()
      : (mobyTokens[Math.floor(rng.nextFloat() * mobyTokens.length)] as Uint16Array);
    const len = 6 + Math.floor(rng.nextFloat() * 40);
    const at = Math.floor(rng.nextFloat() * Math.max(1, src.length - len));
    toks.push(...src.subarray(at, at + len));
  }
  outputs.push(tokenizer.decode(toks.slice(0, 500)));
}

if (process.env.DUMP_OUTPUTS)
  (await import("node:fs")).writeFileSync(process.env.DUMP_OUTPUTS, JSON.stringify(outputs));
const runA = (text: string) => attributeSpans({ index: packed, tokenizer, text });
const runB = (text: string) => head.attributeSpans({ index: plain, tokenizer: headTokenizer, text });
for (const text of outputs.slice(0, Number(process.env.WARMUP ?? 20))) {
  runA(text);
  runB(text);
}
const wall = { A: [] as number[], B: [] as number[] };
const cpu = { A: [] as number[], B: [] as number[] };
const perQuery: { i: number; a: number; b: number; aStart: number }[] = [];
let mismatches = 0;
let charMismatches = 0;
for (let i = 0; i < outputs.length; i++) {
  const text = outputs[i] as string;
  let aStart = 0;
  const order: ("A" | "B")[] = i % 2 === 0 ? ["A", "B"] : ["B", "A"];
  const res: Record<string, string> = {};
  const ms: Record<string, number> = {};
  for (const k of order) {
    const c0 = process.cpuUsage();
    const s = performance.now();
    if (k === "A") aStart = s;
    const r = k === "A" ? runA(text) : runB(text);
    const dt = performance.now() - s;
    const c = process.cpuUsage(c0);
    wall[k].push(dt);
    cpu[k].push((c.user + c.system) / 1000);
    ms[k] = dt;
    // Character ranges are compared apart: gpt-tokenizer's decoders share one streaming TextDecoder that is
    // never flushed, so a decode ending mid-character shifts the next call's offsets (tokenizer issue).
    res[k] = canonicalJson({ ...r, spans: r.spans.map(({ charStart, charEnd, text, ...rest }) => rest) });
    res[`${k}chars`] = canonicalJson(r.spans.map((x) => [x.charStart, x.charEnd, x.text]));
  }
  if (res.Achars !== res.Bchars) charMismatches++;
  if (res.A !== res.B) {
    mismatches++;
    if (process.env.DUMP === "1") {
      const a = res.A as string;
      const b = res.B as string;
      let k = 0;
      while (a[k] === b[k]) k++;
      console.error(
        `mismatch on output ${i} at char ${k}:\nA ${a.slice(k - 200, k + 200)}\nB ${b.slice(k - 200, k + 200)}`,
      );
      const again = canonicalJson(runA(text)) === canonicalJson(runB(text));
      console.error(`re-run equal: ${again}`);
    }
  }
  perQuery.push({ i, a: ms.A as number, b: ms.B as number, aStart });
}
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return Number((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number).toFixed(3));
};
const summary = (xs: number[]) => ({
  p50: pct(xs, 50),
  p95: pct(xs, 95),
  p99: pct(xs, 99),
  max: pct(xs, 100),
});
// Slowest queries: re-run each 5 times (A) with a phase split, to tell a slow input from a pause.
const slow = [...perQuery].sort((x, y) => y.a - x.a).slice(0, 5);
await new Promise((r) => setTimeout(r, 50)); // let the gc observer deliver
const phases = slow.map(({ i, a, aStart }) => {
  const gcInQuery = gcs.filter((g) => g.start + g.duration > aStart && g.start < aStart + a);
  const text = outputs[i] as string;
  const reps = Array.from({ length: 5 }, () => {
    const s0 = performance.now();
    const toks = tokenizer.encode(text);
    const s1 = performance.now();
    longestMatches(packed, toks);
    const s2 = performance.now();
    runA(text);
    const s3 = performance.now();
    return { tokenize: +(s1 - s0).toFixed(2), longest: +(s2 - s1).toFixed(2), total: +(s3 - s2).toFixed(2) };
  });
  return {
    i,
    firstMs: +a.toFixed(2),
    gc: gcInQuery.map((g) => `kind${g.kind}:${g.duration.toFixed(1)}ms`).join(","),
    reps: reps.map((r) => `${r.tokenize}/${r.longest}/${r.total}`).join(" "),
  };
});
console.log(
  JSON.stringify({
    indexPath,
    tokens: plain.tokens.length,
    width: packed.suffixArray.width,
    saBytesPacked: packed.suffixArray.words.byteLength,
    saBytesPlain: plainSa.byteLength,
    packMs: Math.round(packMs),
    unpackMs: Math.round(unpackMs),
    outputs: outputs.length,
    mismatches,
    charMismatches,
    packed: { wall: summary(wall.A), cpu: summary(cpu.A) },
    plain: { wall: summary(wall.B), cpu: summary(cpu.B) },
    gcDuringRun: {
      count: gcs.length,
      byKind: Object.fromEntries([1, 2, 4, 8, 16].map((k) => [k, gcs.filter((g) => g.kind === k).length])),
      maxMs: Math.max(0, ...gcs.map((g) => +g.duration.toFixed(1))),
    },
    slowest: phases,
  }),
);
