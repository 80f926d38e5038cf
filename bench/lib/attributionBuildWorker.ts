/**
 * Child process of bench/attribution.ts: builds one index from a token dump so that its time and peak
 * memory are measured alone. Input file: u32 docCount, u32 lengths[docCount], u16 tokens (concatenated).
 * Writes the index file and prints a JSON line with the timings and the process's peak RSS.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { buildIndexFromTokens, encodeIndex } from "../../packages/core/src/attribution/index.ts";
import { TOKENIZER_NAME, TOKENIZER_VOCAB_SIZE } from "../../packages/core/src/tokenizer/index.ts";

const [input, output] = process.argv.slice(2) as [string, string];
const raw = readFileSync(input);
const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
const docCount = view.getUint32(0, true);
const lengths = new Uint32Array(bytes.slice(4, 4 + 4 * docCount).buffer);
const tokens = new Uint16Array(bytes.slice(4 + 4 * docCount).buffer);
const documents = [];
let at = 0;
for (let d = 0; d < docCount; d++) {
  const len = lengths[d] as number;
  documents.push({ contributionId: BigInt(d + 1), tokens: tokens.subarray(at, at + len) });
  at += len;
}
const t0 = performance.now();
const index = buildIndexFromTokens({ tokenizer: TOKENIZER_NAME, vocabSize: TOKENIZER_VOCAB_SIZE, documents });
const buildMs = performance.now() - t0;
const t1 = performance.now();
const { bytes: file, id } = await encodeIndex(index);
const encodeMs = performance.now() - t1;
writeFileSync(output, file);
process.stdout.write(
  `${JSON.stringify({
    tokens: at,
    docCount,
    buildMs,
    encodeMs,
    fileBytes: file.length,
    id,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
