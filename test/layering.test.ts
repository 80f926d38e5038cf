import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

/**
 * The package layering, enforced (docs/architecture.md). Lower layers never import higher ones, and the pure
 * layers never touch the machine: `@tributary/core` is what anyone re-runs to check an epoch or an
 * attribution, so it reads no file, opens no socket and knows no database.
 *
 *   core, abi  ←  sdk, chain  ←  node  ←  cli
 *                 sdk         ←  web
 *
 * Test files, `testing/` helpers and `__fixtures__` are outside the rules (they load fixtures from disk).
 */
const root = resolve(fileURLToPath(new URL("..", import.meta.url)));

type Rule = {
  /** Source folder, from the repository root. */
  folder: string;
  /** Import specifiers this layer must not use (matched from the start). */
  forbidden: RegExp[];
  /** Files of the folder the rule does not cover, with the reason. */
  except?: Record<string, string>;
};

const MACHINE = [/^node:/, /^(fs|net|http|https|child_process|worker_threads|os)$/];
const STORAGE = [/^better-sqlite3$/, /^kysely$/, /^pg$/];
const SERVER = [/^hono/, /^@hono\//];

const RULES: Rule[] = [
  {
    folder: "packages/core/src",
    forbidden: [...MACHINE, ...STORAGE, ...SERVER, /^@tributary\//],
  },
  { folder: "packages/abi/src", forbidden: [/^[^./]/] },
  // Bytes in, bytes out: the model files' format, for the node, the CLI and the benchmarks alike.
  {
    folder: "packages/gguf/src",
    forbidden: [...MACHINE, ...STORAGE, ...SERVER, /^node-llama-cpp$/, /^@tributary\/(?!core\/errors$)/],
  },
  {
    folder: "packages/sdk/src",
    // Not core's barrel (it carries the PDF and DOCX extractors into the web app): `@tributary/core/errors`.
    forbidden: [...MACHINE, ...STORAGE, ...SERVER, /^@tributary\/(core|node|cli|web|chain)$/],
  },
  { folder: "packages/chain/src", forbidden: [...STORAGE, ...SERVER, /^@tributary\/(node|cli|web|sdk)$/] },
  {
    folder: "apps/web/src",
    forbidden: [...MACHINE, ...STORAGE, ...SERVER, /^@tributary\/(core|node|cli|chain)$/],
    except: { "index.ts": "the package's server-side entry: it tells the node where the built app is" },
  },
  { folder: "apps/node/src", forbidden: [/^@tributary\/(cli|web)$/] },
];

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;

/** Every module specifier `source` imports (static, side-effect and dynamic imports, re-exports). */
function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

function sourcesOf(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name === "node_modules" || entry.name === "testing" || entry.name === "__fixtures__")
          continue;
        walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name)) {
        out.push(path);
      }
    }
  };
  walk(join(root, folder));
  return out.sort();
}

describe("package layering", () => {
  it("the import scanner sees static, type-only, side-effect, dynamic and re-export imports", () => {
    const source = [
      'import { a } from "node:fs";',
      'import type { B } from "kysely";',
      'import "hono";',
      'const m = await import("better-sqlite3");',
      'export { c } from "@tributary/node";',
      "import {\n  d,\n  e,\n} from './local.ts';",
    ].join("\n");
    expect(importsOf(source)).toEqual([
      "node:fs",
      "kysely",
      "hono",
      "better-sqlite3",
      "@tributary/node",
      "./local.ts",
    ]);
  });

  for (const rule of RULES) {
    it(`${rule.folder} imports nothing of a higher layer or of the machine it must not touch`, () => {
      const files = sourcesOf(rule.folder);
      expect(files.length).toBeGreaterThan(0);
      const violations: string[] = [];
      let seen = 0;
      for (const file of files) {
        const name = relative(join(root, rule.folder), file);
        if (rule.except?.[name]) continue;
        const specifiers = importsOf(readFileSync(file, "utf8"));
        seen += specifiers.length;
        for (const spec of specifiers) {
          if (rule.forbidden.some((r) => r.test(spec)))
            violations.push(`${relative(root, file)} imports "${spec}"`);
          // A relative import may not leave its package (apps/x/src/../../y reaches into another one).
          if (spec.startsWith(".")) {
            const target = relative(root, resolve(file, "..", spec));
            const pkg = rule.folder.split("/").slice(0, 2).join("/");
            if (!target.startsWith(`${pkg}/`))
              violations.push(`${relative(root, file)} reaches into "${target}"`);
          }
        }
      }
      expect(seen).toBeGreaterThan(0);
      expect(violations).toEqual([]);
    });
  }
});
