import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNode, type TributaryNode } from "../../createNode.ts";
import { createDatanetRoutes } from "./createDatanetRoutes.ts";

let node: TributaryNode;
const addr = (i: number) => `0x${i.toString(16).padStart(40, "0")}`;
const STATUSES = ["Accepted", "Accepted", "Pending", "Rejected", "Slashed", "Withdrawn"];

// 1,203 contributions to datanet 1 by 5 contributors; contributor 5 only appears after the first 500 (what
// the web page used to miss), plus a few in datanet 2 that must not count.
type Row = { id: number; datanet: number; contributor: string; size: number; status: string };
const rows: Row[] = [];
for (let id = 1; id <= 1203; id++) {
  const who = id <= 500 ? (id % 4) + 1 : (id % 5) + 1;
  rows.push({ id, datanet: 1, contributor: addr(who), size: 10 + (id % 7), status: STATUSES[id % 6]! });
}
for (let id = 1204; id <= 1210; id++)
  rows.push({ id, datanet: 2, contributor: addr(9), size: 1000, status: "Accepted" });

beforeAll(async () => {
  node = await createNode({
    dataDir: mkdtempSync(join(tmpdir(), "contributors-")),
    routes: [(ctx) => createDatanetRoutes(ctx)],
  });
  for (let i = 0; i < rows.length; i += 200)
    await node.db
      .insertInto("contributions")
      .values(
        rows.slice(i, i + 200).map((r) => ({
          id: r.id,
          datanet_id: r.datanet,
          contributor: r.contributor,
          content_hash: `0x${r.id.toString(16).padStart(64, "0")}`,
          size: r.size,
          status: r.status,
          stake: "0",
          metadata_uri: "",
          registered_block: 1,
          updated_block: 1,
        })),
      )
      .execute();
});
afterAll(async () => {
  await node?.stop();
});

type Page = {
  items: {
    contributor: string;
    contributions: number;
    accepted: number;
    pending: number;
    rejected: number;
    bytes: number;
  }[];
  nextCursor: string | null;
  totals: { contributors: number; contributions: number; accepted: number; bytes: number };
};
const get = async (path: string) => {
  const res = await node.app.request(path);
  return { status: res.status, body: (await res.json()) as Page & { error?: { code: string } } };
};

describe("GET /v1/datanets/:id/contributors", () => {
  it("counts every contribution (more than 500), per contributor and in total, most accepted first", async () => {
    const { status, body } = await get("/v1/datanets/1/contributors?limit=500");
    expect(status).toBe(200);
    const mine = rows.filter((r) => r.datanet === 1);
    const expected = new Map<string, Page["items"][number]>();
    for (const r of mine) {
      const e = expected.get(r.contributor) ?? {
        contributor: r.contributor,
        contributions: 0,
        accepted: 0,
        pending: 0,
        rejected: 0,
        bytes: 0,
      };
      e.contributions++;
      if (r.status === "Accepted") e.accepted++;
      if (r.status === "Pending") e.pending++;
      if (r.status === "Rejected" || r.status === "Slashed") e.rejected++;
      e.bytes += r.size;
      expected.set(r.contributor, e);
    }
    expect(body.items).toHaveLength(5);
    expect(new Map(body.items.map((i) => [i.contributor, i]))).toEqual(expected);
    expect(body.items.map((i) => i.accepted)).toEqual(
      [...body.items.map((i) => i.accepted)].sort((a, b) => b - a),
    );
    expect(body.totals).toEqual({
      contributors: 5,
      contributions: 1203,
      accepted: mine.filter((r) => r.status === "Accepted").length,
      bytes: mine.reduce((s, r) => s + r.size, 0),
    });
    expect(body.nextCursor).toBeNull();
  });

  it("pages through the contributors with the cursor, each once, totals on every page", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { body } = await get(`/v1/datanets/1/contributors?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(body.totals.contributors).toBe(5);
      seen.push(...body.items.map((i) => i.contributor));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
    expect(seen).toHaveLength(5);
  });

  it("answers an empty page for a datanet without contributions, and refuses a bad query", async () => {
    const { body } = await get("/v1/datanets/7/contributors");
    expect(body).toEqual({
      items: [],
      nextCursor: null,
      totals: { contributors: 0, contributions: 0, accepted: 0, bytes: 0 },
    });
    const bad = await get("/v1/datanets/1/contributors?limit=9999");
    expect(bad.status).toBe(400);
  });
});
