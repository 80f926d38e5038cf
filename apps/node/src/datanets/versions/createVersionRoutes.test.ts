import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildContributionsTree, contentHash, normalizeText } from "@tributary/core";
import { getVersion, publishVersion as publishDirectly } from "@tributary/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TributaryNode } from "../../createNode.ts";
import {
  OWNER_ACCOUNT,
  type PublishFixture,
  sampleTexts,
  setupPublishFixture,
} from "../publish/testing/publishFixture.ts";
import { createVersionRoutes } from "./createVersionRoutes.ts";

type ErrorBody = { error: { code: string; message: string; hint: string } };

describe("version routes", () => {
  let f: PublishFixture;
  let node: TributaryNode | undefined;
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "versions-"));
    dirs.push(dir);
    return dir;
  };
  const start = async (dataDir: string) => {
    node = await f.startNode(dataDir, { routes: [createVersionRoutes] });
    return node;
  };
  const call = async (path: string, init?: RequestInit) => {
    const res = await node!.app.request(path, init);
    return { status: res.status, type: res.headers.get("content-type"), body: await res.text() };
  };
  const post = (path: string, body?: string) =>
    call(path, {
      method: "POST",
      ...(body === undefined ? {} : { body, headers: { "content-type": "application/json" } }),
    });

  beforeAll(async () => {
    f = await setupPublishFixture();
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });
  afterAll(async () => {
    await f?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("publishes with POST, lists with pagination, shows a version with its manifest, exports it", async () => {
    const dataDir = freshDir();
    const id = await f.createDatanet();
    const ids = await f.contribute(dataDir, id, 7, sampleTexts.slice(0, 3));
    await start(dataDir);
    for (const [i, contributionId] of ids.entries()) {
      await f.review(id, [[contributionId, "accept"]]);
      const res = await post(`/v1/datanets/${id}/versions`, i === 0 ? undefined : "{}");
      expect(res.status, res.body).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({
        datanetId: id.toString(),
        version: i + 1,
        count: i + 1,
        state: "indexed",
      });
    }

    const page1 = await call(`/v1/datanets/${id}/versions?limit=2`);
    expect(page1.status).toBe(200);
    const p1 = JSON.parse(page1.body) as {
      items: { version: number; indexId: string | null }[];
      nextCursor: string | null;
    };
    expect(p1.items.map((v) => v.version)).toEqual([1, 2]);
    expect(p1.items.every((v) => typeof v.indexId === "string")).toBe(true);
    expect(p1.nextCursor).toBe("2");
    const p2 = JSON.parse((await call(`/v1/datanets/${id}/versions?limit=2&cursor=${p1.nextCursor}`)).body);
    expect(p2).toMatchObject({ items: [{ version: 3, count: 3 }], nextCursor: null });

    const detail = await call(`/v1/datanets/${id}/versions/2`);
    expect(detail.status).toBe(200);
    const d = JSON.parse(detail.body) as {
      contributionsRoot: string;
      manifest: { contributionsRoot: string; contributions: { id: string }[] };
    };
    const onChain = await getVersion(node!.ctx.chain!.sdk, { datanetId: id, version: 2n });
    expect(d.contributionsRoot).toBe(onChain.contributionsRoot);
    expect(d.manifest.contributionsRoot).toBe(onChain.contributionsRoot);
    expect(d.manifest.contributions.map((c) => c.id)).toEqual(ids.slice(0, 2).map(String));

    const exported = await call(`/v1/datanets/${id}/versions/3/export`);
    expect(exported.status).toBe(200);
    const e = JSON.parse(exported.body) as { files: Record<string, string> };
    expect(Object.keys(e.files).sort()).toEqual(["README.md", "data.jsonl", "manifest.json"]);
    const rows = e.files["data.jsonl"]!.trimEnd()
      .split("\n")
      .map(
        (l) =>
          JSON.parse(l) as {
            id: string;
            contentHash: `0x${string}`;
            contributor: `0x${string}`;
            text: string;
          },
      );
    const root = buildContributionsTree(
      rows.map((r) => ({
        contributionId: BigInt(r.id),
        contentHash: contentHash(r.text),
        contributor: r.contributor,
      })),
    ).root;
    expect(root).toBe(
      (await getVersion(node!.ctx.chain!.sdk, { datanetId: id, version: 3n })).contributionsRoot,
    );

    const jsonl = await call(`/v1/datanets/${id}/versions/3/export?file=data.jsonl`);
    expect(jsonl.type).toContain("application/x-ndjson");
    expect(jsonl.body).toBe(e.files["data.jsonl"]);
    const manifest = await call(`/v1/datanets/${id}/versions/3/export?file=manifest.json`);
    expect(manifest.body).toBe(e.files["manifest.json"]);
  });

  it("answers every refusal with the one JSON error shape and the right status", async () => {
    const dataDir = freshDir();
    const empty = await f.createDatanet();
    const foreign = await f.createDatanet({ nodeIsCurator: false });
    await start(dataDir);
    const cases: [Promise<{ status: number; body: string }>, number, string][] = [
      [post(`/v1/datanets/${empty}/versions`), 409, "EMPTY_VERSION"],
      [post(`/v1/datanets/${foreign}/versions`), 403, "NODE_NOT_CURATOR"],
      [post(`/v1/datanets/${empty}/versions`, '{"force":true}'), 400, "INVALID_REQUEST"],
      [post(`/v1/datanets/${empty}/versions`, "{nope"), 400, "INVALID_REQUEST"],
      [call("/v1/datanets/abc/versions"), 400, "INVALID_REQUEST"],
      [call(`/v1/datanets/${empty}/versions?limit=0`), 400, "INVALID_REQUEST"],
      [call(`/v1/datanets/${empty}/versions/0`), 400, "INVALID_REQUEST"],
      [call("/v1/datanets/999/versions"), 404, "DATANET_NOT_FOUND"],
      [call(`/v1/datanets/${empty}/versions/7`), 404, "VERSION_NOT_FOUND"],
      [call(`/v1/datanets/${empty}/versions/7/export`), 404, "VERSION_NOT_FOUND"],
      [call(`/v1/datanets/${empty}/versions/1/export?file=secrets.txt`), 400, "INVALID_REQUEST"],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect(res.status, res.body).toBe(status);
      const body = JSON.parse(res.body) as ErrorBody;
      expect(body.error.code).toBe(code);
      expect(body.error.message.length).toBeGreaterThan(0);
      expect(body.error.hint.length).toBeGreaterThan(0);
    }
    const notCurator = JSON.parse((await post(`/v1/datanets/${foreign}/versions`)).body) as ErrorBody;
    expect(notCurator.error.hint).toContain(f.nodeAccount.address);
  });

  it("indexes on startup a version a curator published directly, so the list shows its index", async () => {
    const dataDir = freshDir();
    const id = await f.createDatanet();
    const ids = await f.contribute(dataDir, id, 8, sampleTexts.slice(2, 4));
    await f.review(
      id,
      ids.map((c) => [c, "accept"]),
    );
    const contributor = f.chain.accounts[8]!.address;
    const tree = buildContributionsTree(
      ids.map((contributionId, i) => ({
        contributionId,
        contentHash: contentHash(normalizeText(sampleTexts[2 + i]!)),
        contributor,
      })),
    );
    await publishDirectly(f.clientFor(OWNER_ACCOUNT), {
      datanetId: id,
      contributionsRoot: tree.root,
      count: 2n,
      manifestURI: "ar://somewhere-else",
    });
    await start(dataDir);
    let item: { indexId: string | null } | undefined;
    for (let i = 0; i < 100 && !item?.indexId; i++) {
      item = (
        JSON.parse((await call(`/v1/datanets/${id}/versions`)).body) as {
          items: { indexId: string | null }[];
        }
      ).items[0];
      if (!item?.indexId) await new Promise((r) => setTimeout(r, 50));
    }
    expect(item?.indexId).toMatch(/^[0-9a-f]{64}$/);
    // Attribution now answers for it.
    const res = await node!.app.request("/v1/attribution", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ datanetId: id.toString(), version: 1, text: sampleTexts[3] }),
    });
    expect(res.status).toBe(200);
  });
});
