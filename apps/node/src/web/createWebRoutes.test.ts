import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { createApp } from "../api/createApp.ts";
import { createWebRoutes } from "./createWebRoutes.ts";

function distWithApp(): string {
  const dir = mkdtempSync(join(tmpdir(), "web-dist-"));
  mkdirSync(join(dir, "assets"));
  writeFileSync(join(dir, "index.html"), "<!doctype html><title>Tributary</title><div id=root></div>");
  writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
  writeFileSync(join(dir, "assets", "index-abc123.css"), "body{}");
  writeFileSync(join(dir, "favicon.svg"), "<svg/>");
  return dir;
}

function appWith(distDir: string) {
  const api = new Hono();
  api.get("/v1/datanets", (c) => c.json({ items: [] }));
  return createApp({ routes: [api, createWebRoutes({ distDir })] });
}

describe("createWebRoutes", () => {
  const app = appWith(distWithApp());

  it("serves files with their content type and caches only hashed assets", async () => {
    const js = await app.request("/assets/index-abc123.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await js.text()).toBe("console.log(1)");
    const css = await app.request("/assets/index-abc123.css");
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const svg = await app.request("/favicon.svg");
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("cache-control")).toBe("no-cache");
    const index = await app.request("/");
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toContain("<title>Tributary</title>");
  });

  it("answers index.html for client routes, and leaves the API's paths to the API", async () => {
    for (const path of ["/datanets", "/datanets/3/curation", "/playground?model=x", "/earnings/0xabc"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toContain("<div id=root>");
    }
    expect(await (await app.request("/v1/datanets")).json()).toEqual({ items: [] });
    // The API's own paths are never the web app's (/metrics and /openapi.json are the API platform's).
    for (const path of ["/metrics", "/openapi.json"]) {
      const res = await app.request(path);
      expect(await res.text()).not.toContain("<div id=root>");
    }
    for (const path of ["/v1/nope", "/health/x", "/docs/page"]) {
      const res = await app.request(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    }
    expect((await app.request("/health")).status).toBe(200);
    // POST is never the app's.
    expect((await app.request("/datanets", { method: "POST" })).status).toBe(404);
  });

  it("404s missing assets and never serves files outside the folder", async () => {
    const missing = await app.request("/assets/index-old.js");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toMatch(/no file/);
    expect((await app.request("/..%2f..%2fetc%2fpasswd")).status).not.toBe(200);
    const traversal = await app.request("/assets/..%2f..%2f..%2fetc%2fhostname");
    expect(traversal.status).toBe(404);
  });

  it("says to run npm run build:web when the app is not built", async () => {
    const empty = appWith(mkdtempSync(join(tmpdir(), "web-empty-")));
    const res = await empty.request("/datanets");
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("npm run build:web");
    expect((await empty.request("/v1/datanets")).status).toBe(200);
  });
});
