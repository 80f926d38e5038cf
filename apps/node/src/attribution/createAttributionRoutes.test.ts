import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mobyDickChapters } from "../../../../packages/core/src/attribution/__fixtures__/mobyDick.ts";
import { createApp } from "../api/createApp.ts";
import { AttributionError, buildIndex, createTokenizer } from "./core.ts";
import { createAttributionRoutes } from "./createAttributionRoutes.ts";
import { createIndexFileStore } from "./createIndexFileStore.ts";

const tokenizer = createTokenizer();
const chapters = mobyDickChapters().slice(0, 20);
const dir = await mkdtemp(join(tmpdir(), "tributary-idx-"));
const store = createIndexFileStore({ dir });
const { id } = await store.write(buildIndex({ tokenizer, documents: chapters }));
const versions = new Map([["7/1", id]]);
const routes = createAttributionRoutes({
  loadIndex: async (datanetId, version) => {
    const found = versions.get(`${datanetId}/${version}`);
    return found === undefined ? undefined : store.read(found);
  },
  maxTextChars: 5000,
});

afterAll(() => rm(dir, { recursive: true, force: true }));

const post = (app: { request: typeof routes.request }, body: unknown) =>
  app.request("/v1/attribution", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("POST /v1/attribution", () => {
  const text = ` ${chapters[2]?.text.slice(0, 300).split(" ").slice(1, -1).join(" ")}`;

  it("attributes a text against a datanet version, identically on every call", async () => {
    const res = await post(routes, { datanetId: "7", version: 1, text });
    expect(res.status).toBe(200);
    const raw = await res.text();
    const body = JSON.parse(raw);
    expect(body.datanetId).toBe("7");
    expect(body.attribution.algorithm).toBe("span-v1");
    expect(body.attribution.contributions).toEqual([{ contributionId: "3", ppm: 1000000 }]);
    expect(body.attribution.params).toEqual({ maxCount: 64, minTokens: 8 });
    expect(await (await post(routes, { datanetId: 7, version: 1, text })).text()).toBe(raw);
  });

  it("works mounted in the node app", async () => {
    const app = createApp({ routes: [routes] });
    const res = await post(app, { datanetId: "7", version: 1, text, minTokens: 5, maxCount: 3 });
    expect(res.status).toBe(200);
    expect((await res.json()).attribution.params).toEqual({ maxCount: 3, minTokens: 5 });
  });

  it("answers 400 for a malformed body, 404 for an unknown version, 413 for an oversize text", async () => {
    for (const bad of [
      "{",
      { datanetId: "x", version: 1, text },
      { datanetId: "7", version: 1 },
      { datanetId: "7", version: 1, text, extra: 1 },
      { datanetId: "7", version: 1, text, maxCount: 0 },
    ]) {
      const res = await post(routes, bad);
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body.error.code).toBe("INVALID_BODY");
      expect(body.error.hint.length).toBeGreaterThan(0);
    }
    const missing = await post(routes, { datanetId: "7", version: 2, text });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("UNKNOWN_DATANET_VERSION");
    const big = await post(routes, { datanetId: "7", version: 1, text: "a".repeat(5001) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("TEXT_TOO_LARGE");
  });
});

describe("createIndexFileStore", () => {
  it("writes content-addressed files atomically and reads them back", async () => {
    expect(await readdir(dir)).toEqual([`${id}.tidx`]);
    const again = await store.write(buildIndex({ tokenizer, documents: chapters }));
    expect(again.id).toBe(id);
    expect(await store.read("0".repeat(64))).toBeUndefined();
    const index = await store.read(id);
    expect(index?.docStarts.length).toBe(20);
  });

  it("refuses a corrupted or truncated file with a typed error", async () => {
    const path = store.pathOf(id);
    const bytes = await readFile(path);
    const copyDir = await mkdtemp(join(tmpdir(), "tributary-idx-bad-"));
    const bad = createIndexFileStore({ dir: copyDir });
    try {
      await writeFile(bad.pathOf(id), bytes.subarray(0, bytes.length - 100));
      await expect(bad.read(id)).rejects.toMatchObject({ code: "INDEX_TRUNCATED" });
      const flipped = Buffer.from(bytes);
      flipped[1000] = (flipped[1000] as number) ^ 0xff;
      await writeFile(bad.pathOf(id), flipped);
      await expect(bad.read(id)).rejects.toBeInstanceOf(AttributionError);
      await expect(bad.read(id)).rejects.toMatchObject({ code: "INDEX_CHECKSUM_MISMATCH" });
    } finally {
      await rm(copyDir, { recursive: true, force: true });
    }
  });
});

describe("the shared attribution schema", () => {
  it("allows maxCount up to the core's limit", async () => {
    const { nodeSchemas } = await import("@tributary/sdk");
    const { MAX_SPAN_MAX_COUNT } = await import("@tributary/core");
    expect(nodeSchemas.MAX_ATTRIBUTION_MAX_COUNT).toBe(MAX_SPAN_MAX_COUNT);
  });
});
