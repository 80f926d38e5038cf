/**
 * `npm run bench:attribution` (add `-- --quick` or BENCH_QUICK=1 for a small run): Proof of Attribution
 * figures, written to bench/results/attribution.json and printed.
 *
 * Corpora: real text shipped in npm packages (bench/lib/attributionCorpus.ts). Scale indexes of 1M, 10M and
 * 100M tokens are that text re-shuffled at sentence level, generated into the git-ignored bench/.data/.
 * - build: tokenization tokens/s (gpt-tokenizer r50k_base) and suffix-array build tokens/s measured apart;
 *   peak RSS of the child process that builds and serializes the 100M index; index bytes per token.
 * - latency: span-v1 on 500-token outputs (tokenize + attribute, one core), p50/p95/p99 at each scale, and
 *   where the slowest 1% went (overlapping GC pauses, position in the run, replay time; warm min-of-3).
 * - quality on the real-text index with planted provenance: verbatim spans of 4–32 words from indexed
 *   documents, spans of held-out (never indexed) documents, lightly edited copies, random canary documents.
 * - ∞-gram: leave-one-contributor-out agreement on the real index, generation tokens/s on the 100M index.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import {
  type AttributionIndex,
  attributeSpans,
  buildIndexFromTokens,
  countOccurrences,
  createInfiniGram,
  createRandom,
  DEFAULT_INFINIGRAM_PARAMETERS,
  DEFAULT_SPAN_PARAMETERS,
  decodeIndex,
  type Random,
  type SpanAttribution,
} from "../packages/core/src/attribution/index.ts";
import {
  createTokenizer,
  TOKENIZER_NAME,
  TOKENIZER_VOCAB_SIZE,
} from "../packages/core/src/tokenizer/index.ts";
import { type CorpusDocument, loadMobyDick, loadSpamAssassin } from "./lib/attributionCorpus.ts";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const here = dirname(fileURLToPath(import.meta.url));
const dataDir = join(here, ".data");
const resultsPath = join(here, "results", "attribution.json");
mkdirSync(dataDir, { recursive: true });
mkdirSync(dirname(resultsPath), { recursive: true });

const tokenizer = createTokenizer();
const rng = createRandom(20240611n);
const randInt = (r: Random, lo: number, hi: number): number => lo + Math.floor(r.nextFloat() * (hi - lo + 1));
const log = (...args: unknown[]): void => console.error("[bench:attribution]", ...args);
const round = (x: number, digits = 2): number => Number(x.toFixed(digits));
const pct = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;

// ---------------------------------------------------------------------------------------------- corpus
const moby = loadMobyDick();
let mails = loadSpamAssassin();
if (quick) mails = mails.slice(0, 800);
// Held out (never indexed): the last 15 chapters. E-mails are all indexed: threads quote each other and share
// list footers, so a held-out e-mail is not provenance-free (its quoted text really is in the index); the
// share of such text is reported apart as heldOutMailSharedRate.
const heldOut: CorpusDocument[] = moby.slice(120);
const heldOutMails: CorpusDocument[] = mails.filter((_, i) => i % 30 === 7);
const indexedReal: CorpusDocument[] = [...moby.slice(0, 120), ...mails.filter((_, i) => i % 30 !== 7)];
// Canaries: random word sequences that exist nowhere else.
const wordPool = [
  ...new Set(moby.flatMap((d) => d.text.split(/\s+/)).filter((w) => /^[a-z]{3,10}$/.test(w))),
];
const canaries: CorpusDocument[] = Array.from({ length: 20 }, (_, i) => ({
  source: `canary/${i}`,
  text: Array.from({ length: 300 }, () => wordPool[randInt(rng, 0, wordPool.length - 1)]).join(" "),
}));
const realDocs = [...indexedReal, ...canaries];
const contributionOf = new Map<CorpusDocument, bigint>(realDocs.map((d, i) => [d, BigInt(i + 1)]));
log(
  `corpus: ${moby.length} chapters, ${mails.length} e-mails, ${heldOut.length} held out, ${canaries.length} canaries`,
);

// -------------------------------------------------------------------------------------- tokenization
let t0 = performance.now();
const realTokens = realDocs.map((d) => tokenizer.encode(d.text));
const tokenizeMs = performance.now() - t0;
const realTokenCount = realTokens.reduce((s, t) => s + t.length, 0);
const tokenizeTokensPerSec = realTokenCount / (tokenizeMs / 1000);
log(`tokenized ${realTokenCount} tokens in ${(tokenizeMs / 1000).toFixed(1)} s`);

t0 = performance.now();
const realIndex = buildIndexFromTokens({
  tokenizer: TOKENIZER_NAME,
  vocabSize: TOKENIZER_VOCAB_SIZE,
  documents: realDocs.map((d, i) => ({
    contributionId: contributionOf.get(d) as bigint,
    tokens: realTokens[i] as Uint16Array,
  })),
});
log(`real index built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// ------------------------------------------------------------------------- sentence-shuffled scale corpora
// Sentences end after a token whose text ends with . ! or ? (then the next token starts the next one).
const sentenceEnd = new Uint8Array(TOKENIZER_VOCAB_SIZE);
for (let id = 0; id < TOKENIZER_VOCAB_SIZE; id++)
  sentenceEnd[id] = /[.!?]["')\]]*\s*$/.test(tokenizer.decode([id])) ? 1 : 0;
const sentences: Uint16Array[] = [];
for (const toks of realTokens) {
  let start = 0;
  for (let i = 0; i < toks.length; i++) {
    if (sentenceEnd[toks[i] as number] === 1 || i - start >= 200) {
      sentences.push(toks.subarray(start, i + 1));
      start = i + 1;
    }
  }
  if (start < toks.length) sentences.push(toks.subarray(start));
}
log(`${sentences.length} sentences`);

function writeScaleCorpus(target: number, path: string): void {
  const r = createRandom(BigInt(target));
  const lengths: number[] = [];
  const tokens = new Uint16Array(target);
  let at = 0;
  while (at < target) {
    // Documents of 500..4000 tokens made of random sentences.
    const docLen = Math.min(randInt(r, 500, 4000), target - at);
    let filled = 0;
    while (filled < docLen) {
      const s = sentences[randInt(r, 0, sentences.length - 1)] as Uint16Array;
      const take = Math.min(s.length, docLen - filled);
      tokens.set(s.subarray(0, take), at + filled);
      filled += take;
    }
    lengths.push(docLen);
    at += docLen;
  }
  const header = new Uint32Array([lengths.length, ...lengths]);
  const out = Buffer.alloc(header.byteLength + tokens.byteLength);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(new Uint8Array(tokens.buffer), header.byteLength);
  writeFileSync(path, out);
}

type BuildReport = {
  tokens: number;
  docCount: number;
  buildMs: number;
  encodeMs: number;
  fileBytes: number;
  id: string;
  peakRssMB: number;
};
const tsx = createRequire(import.meta.url).resolve("tsx");
function buildInChild(target: number): { report: BuildReport; indexPath: string } {
  const corpusPath = join(dataDir, `corpus-${target}.bin`);
  const indexPath = join(dataDir, `index-${target}.tidx`);
  writeScaleCorpus(target, corpusPath);
  const out = execFileSync(
    process.execPath,
    [
      "--max-old-space-size=8192",
      "--import",
      tsx,
      join(here, "lib", "attributionBuildWorker.ts"),
      corpusPath,
      indexPath,
    ],
    { encoding: "utf8", maxBuffer: 1 << 20, stdio: ["ignore", "pipe", "inherit"] },
  );
  return { report: JSON.parse(out.trim().split("\n").pop() as string) as BuildReport, indexPath };
}

// --------------------------------------------------------------------------------------------- outputs
/** A segment of a planted output: verbatim, held-out, edited or canary text, and where it came from. */
type Segment = {
  kind: "verbatim" | "heldout" | "edited" | "canary";
  text: string;
  words: number;
  source?: bigint;
};

// A run of `words` words starting at a word preceded by a space, cut from the original text (verbatim).
function cut(r: Random, text: string, words: number): string | undefined {
  const starts: number[] = [];
  for (let i = 1; i < text.length; i++) if (text[i - 1] === " " && text[i] !== " ") starts.push(i);
  if (starts.length < words + 2) return undefined;
  const k = randInt(r, 0, starts.length - words - 2);
  const s = starts[k] as number;
  const e = (starts[k + words] as number) - 1;
  const piece = text.slice(s - 1, e).replace(/\s+$/, "");
  // Every counted word holds a letter or digit (quote marks and rules such as ">" or "-----" are not words).
  return contentWords(piece) === words ? piece : undefined;
}

function contentWords(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

function pick<T>(r: Random, xs: readonly T[]): T {
  return xs[randInt(r, 0, xs.length - 1)] as T;
}

function segment(r: Random, kind: Segment["kind"]): Segment {
  for (;;) {
    if (kind === "verbatim") {
      const doc = pick(r, indexedReal);
      const words = randInt(r, 4, 32);
      const text = cut(r, doc.text, words);
      if (text !== undefined) return { kind, text, words, source: contributionOf.get(doc) as bigint };
    } else if (kind === "heldout") {
      const doc = pick(r, heldOut);
      const words = randInt(r, 8, 32);
      const text = cut(r, doc.text, words);
      if (text !== undefined) return { kind, text, words };
    } else if (kind === "canary") {
      const doc = pick(r, canaries);
      const words = randInt(r, 8, 32);
      const text = cut(r, doc.text, words);
      if (text !== undefined) return { kind, text, words, source: contributionOf.get(doc) as bigint };
    } else {
      const doc = pick(r, indexedReal);
      const words = randInt(r, 24, 32);
      const text = cut(r, doc.text, words);
      if (text === undefined) continue;
      // Light edit: one word in twelve replaced.
      const parts = text.split(" ");
      for (let i = 6; i < parts.length; i += 12) parts[i] = pick(r, wordPool);
      return { kind, text: parts.join(" "), words, source: contributionOf.get(doc) as bigint };
    }
  }
}

/** An output made of segments, with each segment's output token range. */
type Planted = { text: string; segments: (Segment & { tokenStart: number; tokenEnd: number })[] };
function plantedOutput(r: Random, kinds: Segment["kind"][]): Planted {
  const segments: Planted["segments"] = [];
  let text = "";
  let tokenCount = 0;
  for (const kind of kinds) {
    const s = segment(r, kind);
    const piece = s.text.startsWith(" ") ? s.text : ` ${s.text}`;
    const n = tokenizer.encode(piece).length;
    segments.push({ ...s, tokenStart: tokenCount, tokenEnd: tokenCount + n });
    text += piece;
    tokenCount += n;
  }
  // Segments start with a space-prefixed word, so the tokens of the concatenation are the concatenation of
  // the tokens (GPT-2 pre-tokenization splits before a space-prefixed word).
  return { text, segments };
}

/** Per output token: the set of contributions credited (union of kept spans covering it). */
function creditedPerToken(result: SpanAttribution, n: number): Set<bigint>[] {
  const out = Array.from({ length: n }, () => new Set<bigint>());
  for (const span of result.spans) {
    for (let t = span.tokenStart; t < span.tokenEnd; t++)
      for (const s of span.sources) out[t]?.add(s.contributionId);
  }
  return out;
}

// 500-token outputs for latency: half verbatim spans from the index at hand, half held-out text.
function latencyOutputs(count: number, tokensOf: (r: Random) => Uint16Array): string[] {
  const r = createRandom(BigInt(count) + 99n);
  const outs: string[] = [];
  for (let i = 0; i < count; i++) {
    const toks: number[] = [];
    while (toks.length < 500) {
      if (r.nextFloat() < 0.5) {
        const src = tokensOf(r);
        const len = randInt(r, 6, 45);
        const at = randInt(r, 0, Math.max(0, src.length - len));
        toks.push(...src.subarray(at, at + len));
      } else {
        const s = segment(r, "heldout");
        toks.push(...tokenizer.encode(` ${s.text.trim()}`));
      }
    }
    outs.push(tokenizer.decode(toks.slice(0, 500)));
  }
  return outs;
}

/**
 * Where the slowest 1% of calls went: the garbage-collection pauses that overlapped them (V8 "gc" performance
 * entries: kind 1 scavenge, 2 mark-compact, 4 incremental marking, 8 weak callbacks), their position in the
 * run (early calls still run partly unoptimized code), and the same calls replayed after the run (fast again =
 * the cost was not the input).
 */
type LatencyTail = {
  /**
   * Per call, the least wall time of 3 back-to-back runs (warm caches): the input's own cost, free of pauses
   * and preemption unless all three are hit. (CPU time is no cleaner: it counts V8's background threads.)
   */
  warmMinOf3: { p50: number; p99: number; max: number };
  calls: { at: number; ms: number; gcMs: number; gcKinds: number[]; replayMs: number }[];
  gcPauses: { count: number; totalMs: number; maxMs: number; byKind: Record<string, number> };
};
type Latency = {
  p50: number;
  p95: number;
  p99: number;
  cpuP50: number;
  cpuP95: number;
  cpuP99: number;
  tail: LatencyTail;
};
/** Wall-clock percentiles (the keys), plus the process CPU time per call, which other load cannot inflate. */
async function measureLatency(index: AttributionIndex, outputs: string[]): Promise<Latency> {
  for (const text of outputs.slice(0, 20)) attributeSpans({ index, tokenizer, text }); // warm-up
  const gcs: { start: number; end: number; kind: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? 0;
      gcs.push({ start: e.startTime, end: e.startTime + e.duration, kind });
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  const wall: number[] = [];
  const cpu: number[] = [];
  const spans: { start: number; end: number }[] = [];
  for (const text of outputs) {
    const c0 = process.cpuUsage();
    const s = performance.now();
    attributeSpans({ index, tokenizer, text });
    const e = performance.now();
    wall.push(e - s);
    spans.push({ start: s, end: e });
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  await new Promise((r) => setTimeout(r, 50)); // gc entries are delivered asynchronously
  observer.disconnect();
  const order = wall.map((ms, at) => ({ ms, at })).sort((a, b) => b.ms - a.ms);
  const tailCalls = order.slice(0, Math.max(1, Math.ceil(outputs.length / 100)));
  const intrinsic = outputs
    .map((text) => {
      let best = Number.POSITIVE_INFINITY;
      for (let k = 0; k < 3; k++) {
        const s = performance.now();
        attributeSpans({ index, tokenizer, text });
        best = Math.min(best, performance.now() - s);
      }
      return best;
    })
    .sort((a, b) => a - b);
  const tail: LatencyTail = {
    warmMinOf3: {
      p50: round(pct(intrinsic, 50), 3),
      p99: round(pct(intrinsic, 99), 3),
      max: round(intrinsic[intrinsic.length - 1] as number, 3),
    },
    calls: tailCalls.map(({ ms, at }) => {
      const { start, end } = spans[at] as { start: number; end: number };
      const overlapping = gcs.filter((g) => g.end > start && g.start < end);
      const s = performance.now();
      attributeSpans({ index, tokenizer, text: outputs[at] as string });
      return {
        at,
        ms: round(ms, 3),
        gcMs: round(
          overlapping.reduce((sum, g) => sum + Math.min(g.end, end) - Math.max(g.start, start), 0),
          3,
        ),
        gcKinds: overlapping.map((g) => g.kind),
        replayMs: round(performance.now() - s, 3),
      };
    }),
    gcPauses: {
      count: gcs.length,
      totalMs: round(
        gcs.reduce((sum, g) => sum + g.end - g.start, 0),
        1,
      ),
      maxMs: round(Math.max(0, ...gcs.map((g) => g.end - g.start)), 3),
      byKind: Object.fromEntries(
        [...new Set(gcs.map((g) => g.kind))].sort().map((k) => [k, gcs.filter((g) => g.kind === k).length]),
      ),
    },
  };
  wall.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return {
    p50: round(pct(wall, 50), 3),
    p95: round(pct(wall, 95), 3),
    p99: round(pct(wall, 99), 3),
    cpuP50: round(pct(cpu, 50), 3),
    cpuP95: round(pct(cpu, 95), 3),
    cpuP99: round(pct(cpu, 99), 3),
    tail,
  };
}

// ------------------------------------------------------------------------------------------ quality
function quality(): Record<string, number> {
  const r = createRandom(7n);
  const kindsPool: Segment["kind"][] = ["verbatim", "verbatim", "verbatim", "heldout", "edited", "canary"];
  let verbatimEligible = 0;
  let verbatimRecalled = 0;
  let genericExcluded = 0;
  let top1Total = 0;
  let top1Correct = 0;
  let editedTotal = 0;
  let editedCorrect = 0;
  let heldOutTokens = 0;
  let heldOutAttributed = 0;
  let canaryTotal = 0;
  let canaryRecalled = 0;
  const outputs = quick ? 100 : 400;
  for (let o = 0; o < outputs; o++) {
    const kinds = Array.from({ length: 8 }, () => pick(r, kindsPool));
    const planted = plantedOutput(r, kinds);
    const result = attributeSpans({ index: realIndex, tokenizer, text: planted.text });
    const credited = creditedPerToken(result, result.outputTokens);
    for (const seg of planted.segments) {
      const range = credited.slice(seg.tokenStart, seg.tokenEnd);
      const n = range.length;
      const share = new Map<bigint, number>();
      for (const set of range) for (const c of set) share.set(c, (share.get(c) ?? 0) + 1 / set.size);
      const best = Math.max(0, ...share.values());
      const topHit = seg.source !== undefined && best > 0 && (share.get(seg.source) ?? 0) >= best - 1e-9;
      const coveredBySource =
        seg.source === undefined ? 0 : range.filter((s) => s.has(seg.source as bigint)).length;
      if (seg.kind === "verbatim" && seg.words >= 8) {
        // Spans found in more than maxCount places are generic phrases by span-v1's definition.
        const occurrences = countPlaces(seg.text);
        if (occurrences > DEFAULT_SPAN_PARAMETERS.maxCount) {
          genericExcluded++;
          continue;
        }
        verbatimEligible++;
        if (coveredBySource >= 0.9 * n) verbatimRecalled++;
        else log(`verbatim miss (${coveredBySource}/${n} tokens): ${JSON.stringify(seg.text)}`);
        top1Total++;
        if (topHit) top1Correct++;
      } else if (seg.kind === "edited") {
        editedTotal++;
        if (topHit) editedCorrect++;
      } else if (seg.kind === "heldout") {
        heldOutTokens += n;
        heldOutAttributed += range.filter((s) => s.size > 0).length;
      } else if (seg.kind === "canary") {
        canaryTotal++;
        if (coveredBySource >= 0.9 * n) canaryRecalled++;
      }
    }
  }
  let mailTokens = 0;
  let mailShared = 0;
  for (const doc of heldOutMails.slice(0, 100)) {
    const result = attributeSpans({ index: realIndex, tokenizer, text: doc.text.slice(0, 4000) });
    mailTokens += result.outputTokens;
    mailShared += result.attributedTokens;
  }
  return {
    verbatimRecall: round(verbatimRecalled / verbatimEligible, 4),
    top1Accuracy: round(top1Correct / top1Total, 4),
    heldOutFalseRate: round(heldOutAttributed / heldOutTokens, 4),
    canaryRecall: round(canaryRecalled / canaryTotal, 4),
    editedTop1Accuracy: round(editedCorrect / editedTotal, 4),
    verbatimSpans: verbatimEligible,
    verbatimGenericExcluded: genericExcluded,
    heldOutTokens,
    canarySpans: canaryTotal,
    editedSpans: editedTotal,
    heldOutMailSharedRate: round(mailShared / mailTokens, 4),
  };
}

function countPlaces(text: string): number {
  return countOccurrences(realIndex, tokenizer.encode(text.startsWith(" ") ? text : ` ${text}`));
}

// ------------------------------------------------------------------------------------ ∞-gram LOCO
const PROMPTS = [
  "What do you think of the whale?",
  "Tell me about the captain.",
  "Where is the ship going?",
  "Who is Queequeg?",
  "Describe the sea at night.",
  "Why did you go to sea?",
  "How big is the white whale?",
  "Is the voyage dangerous?",
  "How do I unsubscribe from this list?",
  "Can you help me with my Linux install?",
  "What is the best mortgage rate?",
  "Did you see the news today?",
  "Where can I download the new version?",
  "Why is my computer so slow?",
  "What did the email say?",
];

/**
 * Leave-one-contributor-out. For each (prompt, seed) sample, the generation is compared with the model
 * that has one candidate contribution removed, in two ways: (1) probability: the total probability the
 * generated tokens lose when re-scored teacher-forced (seed-independent; the key locoAgreement); (2) the
 * text: how many token positions change when regenerated with the same seed (one seeded draw that flips
 * early makes every later token differ, so this is noisy; reported as locoRegenerateAgreement).
 * Candidates: every contribution the text was drawn from plus 20 random others.
 */
function looAgreement(): {
  agreement: number;
  regenerateAgreement: number;
  samples: number;
  candidatesPerSample: number;
} {
  const lm = createInfiniGram({ index: realIndex, tokenizer });
  const tokensByContribution = new Map<bigint, Uint16Array>(
    realDocs.map((d, i) => [contributionOf.get(d) as bigint, realTokens[i] as Uint16Array]),
  );
  const ids = [...tokensByContribution.keys()];
  const r = createRandom(5n);
  let agree = 0;
  let agreeRegen = 0;
  let samples = 0;
  let candidates = 0;
  const seeds = quick ? [1n, 2n] : [1n, 2n, 3n];
  const probabilities = (
    model: ReturnType<typeof createInfiniGram>,
    prompt: string,
    generated: number[],
  ): number[] => {
    const context = Array.from(tokenizer.encode(prompt));
    const out: number[] = [];
    for (const t of generated) {
      const d = model.nextTokenDistribution(context);
      out.push(d.total === 0 ? 0 : (d.continuations.find((c) => c.token === t)?.count ?? 0) / d.total);
      context.push(t);
    }
    return out;
  };
  for (const prompt of PROMPTS) {
    for (const seed of seeds) {
      const params = { prompt, seed, maxTokens: 40 };
      const g = lm.generate(params);
      const top = g.contributions[0]?.contributionId;
      if (top === undefined) continue;
      const original = g.tokens.map((t) => t.token);
      const fullP = probabilities(lm, prompt, original);
      const cands = new Set<bigint>(g.contributions.map((c) => c.contributionId));
      for (let k = 0; k < 20; k++) cands.add(ids[randInt(r, 0, ids.length - 1)] as bigint);
      let best = -1;
      let topChange = -1;
      let bestRegen = -1;
      let topRegen = -1;
      for (const id of cands) {
        const removed = buildIndexFromTokens({
          tokenizer: TOKENIZER_NAME,
          vocabSize: TOKENIZER_VOCAB_SIZE,
          documents: [{ contributionId: id, tokens: tokensByContribution.get(id) as Uint16Array }],
        });
        const loo = createInfiniGram({ index: realIndex, tokenizer, removed });
        const looP = probabilities(loo, prompt, original);
        let change = 0;
        for (let i = 0; i < original.length; i++)
          change += Math.abs((fullP[i] as number) - (looP[i] as number));
        const again = loo.generate(params).tokens.map((t) => t.token);
        let regen = 0;
        for (let i = 0; i < Math.max(original.length, again.length); i++)
          if (original[i] !== again[i]) regen++;
        if (change > best) best = change;
        if (regen > bestRegen) bestRegen = regen;
        if (id === top) {
          topChange = change;
          topRegen = regen;
        }
      }
      candidates += cands.size;
      samples++;
      if (topChange >= best - 1e-12) agree++;
      else
        log(
          `LOCO disagreement: ${JSON.stringify(prompt)} seed ${seed}: top ${top} lost ${topChange.toFixed(3)}, max ${best.toFixed(3)}`,
        );
      if (topRegen === bestRegen) agreeRegen++;
    }
  }
  return {
    agreement: round(agree / samples, 4),
    regenerateAgreement: round(agreeRegen / samples, 4),
    samples,
    candidatesPerSample: round(candidates / samples, 1),
  };
}

function generationSpeed(index: AttributionIndex): number {
  const lm = createInfiniGram({ index, tokenizer });
  lm.generate({ prompt: "Hello", maxTokens: 16 }); // warm-up
  let tokens = 0;
  const s = performance.now();
  for (const prompt of PROMPTS) {
    for (const seed of [1n, 2n]) {
      tokens += lm.generate({ prompt, seed, maxTokens: 128, stopAtSentence: false }).tokens.length;
    }
  }
  return tokens / ((performance.now() - s) / 1000);
}

// --------------------------------------------------------------------------------------------- main
const scales = quick ? [1_000_000, 10_000_000] : [1_000_000, 10_000_000, 100_000_000];
const results: Record<string, unknown> = { quick, tokenizer: TOKENIZER_NAME };
const latency: Record<number, Latency> = {};
const loadAverageAtStart = loadavg();
let largest: { index: AttributionIndex; report: BuildReport; loadMs: number } | undefined;
for (const target of scales) {
  log(`building ${target} tokens in a child process`);
  const { report, indexPath } = buildInChild(target);
  log(
    `  built in ${(report.buildMs / 1000).toFixed(1)} s, ${(report.fileBytes / 1e6).toFixed(0)} MB, peak ${report.peakRssMB.toFixed(0)} MB`,
  );
  largest = undefined; // let the previous index go before loading the next
  const l0 = performance.now();
  const { index } = await decodeIndex(readFileSync(indexPath), { tokenizer: TOKENIZER_NAME });
  const loadMs = performance.now() - l0;
  const docTokens = (r: Random): Uint16Array => {
    const d = randInt(r, 0, index.docStarts.length - 1);
    const start = index.docStarts[d] as number;
    const end =
      d + 1 < index.docStarts.length ? (index.docStarts[d + 1] as number) - 1 : index.tokens.length - 1;
    return index.tokens.subarray(start, end);
  };
  latency[target] = await measureLatency(index, latencyOutputs(quick ? 100 : 300, docTokens));
  log(`  latency ${JSON.stringify(latency[target])} ms (load+verify ${(loadMs / 1000).toFixed(1)} s)`);
  largest = { index, report, loadMs };
}
if (largest === undefined) throw new Error("no index built");
const big = largest.report;
const at = (n: number, k: "p50" | "p95" | "p99"): number | null => latency[n]?.[k] ?? null;
log("quality");
const q = quality();
log(JSON.stringify(q));
log("leave-one-contributor-out");
const loco = looAgreement();
log(JSON.stringify(loco));
log("generation");
const generationTokensPerSec = generationSpeed(largest.index);

Object.assign(results, {
  tokenizeTokensPerSec: Math.round(tokenizeTokensPerSec),
  buildTokensPerSec: Math.round(big.tokens / (big.buildMs / 1000)),
  buildPeakMB: Math.round(big.peakRssMB),
  bytesPerToken: round(big.fileBytes / big.tokens, 3),
  p50MsAt1M: at(1_000_000, "p50"),
  p95MsAt1M: at(1_000_000, "p95"),
  p99MsAt1M: at(1_000_000, "p99"),
  p50MsAt10M: at(10_000_000, "p50"),
  p95MsAt10M: at(10_000_000, "p95"),
  p99MsAt10M: at(10_000_000, "p99"),
  p50MsAt100M: at(100_000_000, "p50"),
  p95MsAt100M: at(100_000_000, "p95"),
  p99MsAt100M: at(100_000_000, "p99"),
  verbatimRecall: q.verbatimRecall,
  top1Accuracy: q.top1Accuracy,
  heldOutFalseRate: q.heldOutFalseRate,
  canaryRecall: q.canaryRecall,
  locoAgreement: loco.agreement,
  locoRegenerateAgreement: loco.regenerateAgreement,
  generationTokensPerSec: Math.round(generationTokensPerSec),
  details: {
    spanParams: DEFAULT_SPAN_PARAMETERS,
    infinigramParams: { ...DEFAULT_INFINIGRAM_PARAMETERS, seed: "per sample" },
    realIndexTokens: realTokenCount,
    realIndexDocuments: realDocs.length,
    largestIndexTokens: big.tokens,
    largestIndexDocuments: big.docCount,
    largestIndexFileBytes: big.fileBytes,
    largestIndexEncodeMs: Math.round(big.encodeMs),
    largestIndexLoadVerifyMs: Math.round(largest.loadMs),
    latency,
    loadAverage: { start: loadAverageAtStart.map((x) => round(x)), end: loadavg().map((x) => round(x)) },
    cpus: availableParallelism(),
    quality: q,
    loco,
    node: process.version,
  },
});
writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
console.log(JSON.stringify(results, null, 2));
