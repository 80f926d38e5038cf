import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type BrowserContext, chromium } from "playwright-core";

/** apps/web. */
export const webDir = fileURLToPath(new URL("..", import.meta.url));
/** The built app the node serves. */
export const distDir = join(webDir, "dist");
/** Where the browser tests write screenshots (gitignored). */
export const artifactsDir = join(webDir, "test-artifacts");

function newestMtime(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

/** Builds apps/web into dist unless dist is newer than every source file (root `npm test` builds it first). */
export async function ensureWebBuilt(): Promise<void> {
  const index = join(distDir, "index.html");
  const sources = ["src", "public", "index.html", "vite.config.ts", "package.json"].map((p) =>
    join(webDir, p),
  );
  if (existsSync(index)) {
    const built = statSync(index).mtimeMs;
    if (sources.every((s) => !existsSync(s) || newestMtime(s) <= built)) return;
  }
  const { build } = await import("vite");
  await build({ configFile: join(webDir, "vite.config.ts"), logLevel: "warn" });
}

/** Debian's Chromium, headless, with a fresh profile; `close()` also removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const executablePath = "/usr/bin/chromium";
  if (!existsSync(executablePath))
    throw new Error(
      "no /usr/bin/chromium: install it with `apt-get install -y chromium` (the tests never download one)",
    );
  const profile = mkdtempSync(join(tmpdir(), "tributary-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(artifactsDir, { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
