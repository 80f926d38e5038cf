import { readFile, stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { Hono } from "hono";

/** Options of {@link createWebRoutes}. */
export type CreateWebRoutesOptions = {
  /** Folder of the built web app (`apps/web/dist`, written by `npm run build:web`). */
  distDir: string;
};

/** Paths the web app never answers: the API and the node's own pages keep their JSON 404. */
const RESERVED = ["/v1", "/health", "/metrics", "/openapi.json", "/docs"];

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".wasm": "application/wasm",
};

function isReserved(path: string): boolean {
  return RESERVED.some((p) => path === p || path.startsWith(`${p}/`));
}

const missingPage = (distDir: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tributary: web app not built</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1d2430}
code{background:#eef1f5;padding:.1rem .3rem;border-radius:4px}</style></head>
<body><h1>The web app is not built</h1>
<p>This node serves the Tributary web app from <code>${distDir.replace(/[<>&]/g, "")}</code>, which has no
<code>index.html</code>.</p>
<p>Run <code>npm run build:web</code> in the repository, then reload this page. The API under
<code>/v1</code> works without it.</p></body></html>`;

/**
 * Serves the built web app (a single-page app) from `distDir`: files with their content type, hashed assets
 * (`/assets/*`) cached for a year as immutable, `index.html` never cached, and `index.html` for any other GET
 * path that is not a file (client-side routes), except under `/v1`, `/health`, `/metrics`, `/openapi.json`
 * and `/docs`, which keep the API's JSON 404. Mount it last: it answers every other GET. When the app is not
 * built, pages answer 503 with a page that says to run `npm run build:web`.
 *
 * @example
 * createNode({ ..., routes: [createDatanetRoutes, () => createWebRoutes({ distDir: "apps/web/dist" })] });
 */
export function createWebRoutes(options: CreateWebRoutesOptions): Hono {
  const root = resolve(options.distDir);
  const app = new Hono();

  async function fileAt(path: string): Promise<{ file: string; bytes: Buffer } | undefined> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    if (decoded.includes("\0")) return undefined;
    const file = resolve(join(root, decoded));
    if (file !== root && !file.startsWith(root + sep)) return undefined; // ../ out of the folder
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    return { file, bytes: await readFile(file) };
  }

  app.get("*", async (c, next) => {
    const path = c.req.path;
    if (isReserved(path)) return next();
    const hit = path === "/" || path === "/index.html" ? undefined : await fileAt(path);
    if (hit) {
      const type = TYPES[extname(hit.file).toLowerCase()] ?? "application/octet-stream";
      const immutable = path.startsWith("/assets/");
      return c.body(new Uint8Array(hit.bytes), 200, {
        "content-type": type,
        "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
        "x-content-type-options": "nosniff",
      });
    }
    // A missing file (an extension, or under /assets) is a 404, not the app: a stale tab asking for an old chunk
    // must fail visibly instead of parsing HTML as JavaScript.
    if (path.startsWith("/assets/") || (extname(path) !== "" && extname(path) !== ".html")) {
      return c.text(`no file ${path} in the web app`, 404, { "cache-control": "no-cache" });
    }
    const index = await readFile(join(root, "index.html")).catch(() => undefined);
    if (!index) {
      return c.html(missingPage(root), 503, { "cache-control": "no-store" });
    }
    return c.body(new Uint8Array(index), 200, {
      "content-type": TYPES[".html"]!,
      "cache-control": "no-cache",
      "x-content-type-options": "nosniff",
    });
  });

  return app;
}
