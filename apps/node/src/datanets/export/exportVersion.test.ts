import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildContributionsTree, contentHash } from "@tributary/core";
import { getVersion, publishVersion as publishDirectly, withdrawContribution } from "@tributary/sdk";
import type { Address, Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TributaryNode } from "../../createNode.ts";
import { cidForBytes } from "../../store/index.ts";
import { createPublishService } from "../publish/createPublishService.ts";
import { VersionError } from "../publish/errors.ts";
import {
  OWNER_ACCOUNT,
  type PublishFixture,
  sampleTexts,
  setupPublishFixture,
} from "../publish/testing/publishFixture.ts";
import { exportVersion } from "./exportVersion.ts";

type Row = { id: string; contentHash: Hex; contributor: Address; text: string };

/** Re-derives a version's root from the exported files alone (what a model builder does). */
function rootFromFiles(dir: string): { root: Hex; rows: Row[] } {
  const rows = readFileSync(join(dir, "data.jsonl"), "utf8")
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Row);
  for (const r of rows) expect(contentHash(r.text), `row ${r.id}`).toBe(r.contentHash);
  const tree = buildContributionsTree(
    rows.map((r) => ({
      contributionId: BigInt(r.id),
      contentHash: r.contentHash,
      contributor: r.contributor,
    })),
  );
  return { root: tree.root, rows };
}

describe("exportVersion", () => {
  let f: PublishFixture;
  let node: TributaryNode;
  let datanetId: bigint;
  let ids: bigint[];
  const dirs: string[] = [];
  const freshDir = () => {
    const dir = mkdtempSync(join(tmpdir(), "export-"));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    f = await setupPublishFixture();
    const dataDir = freshDir();
    datanetId = await f.createDatanet({ license: "CC-BY-SA-4.0" });
    ids = [
      ...(await f.contribute(dataDir, datanetId, 7, sampleTexts.slice(0, 3))),
      ...(await f.contribute(dataDir, datanetId, 8, sampleTexts.slice(3, 5))),
    ];
    await f.review(
      datanetId,
      ids.map((id) => [id, "accept"]),
    );
    node = await f.startNode(dataDir);
    await createPublishService(node.ctx).publishVersion(datanetId);
    await withdrawContribution(f.clientFor(8), { contributionId: ids[4]! });
    await createPublishService(node.ctx).publishVersion(datanetId);
  });
  afterAll(async () => {
    await node?.stop();
    await f?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("writes JSONL, card and manifest from which the on-chain root is re-derived", async () => {
    for (const [version, expected] of [
      [1, ids],
      [2, ids.slice(0, 4)],
    ] as const) {
      const out = freshDir();
      const result = await exportVersion(node.ctx, { datanetId, version, outDir: out });
      const { root, rows } = rootFromFiles(out);
      const onChain = await getVersion(node.ctx.chain!.sdk, { datanetId, version: BigInt(version) });
      expect(root).toBe(onChain.contributionsRoot);
      expect(rows.map((r) => BigInt(r.id))).toEqual(expected);
      expect(result.rows).toBe(expected.length);

      const manifestBytes = readFileSync(join(out, "manifest.json"));
      expect(`ipfs://${cidForBytes(manifestBytes).cid}`).toBe(onChain.manifestURI);
      const manifest = JSON.parse(manifestBytes.toString("utf8")) as {
        version: number;
        contributionsRoot: Hex;
      };
      expect(manifest).toMatchObject({ version, contributionsRoot: onChain.contributionsRoot });

      const readme = readFileSync(join(out, "README.md"), "utf8");
      expect(readme).toContain("license: cc-by-sa-4.0");
      expect(readme).toContain(`| contributions | ${expected.length} |`);
      expect(readme).toContain(onChain.contributionsRoot);
      const seven = f.chain.accounts[7]!.address;
      const eight = f.chain.accounts[8]!.address;
      expect(readme).toContain(`| \`${seven}\` | \`${seven}\` | 3 |`);
      expect(readme).toContain(`| \`${eight}\` | \`${eight}\` | ${version === 1 ? 2 : 1} |`);
    }
  });

  it("an altered row no longer re-derives the root", async () => {
    const out = freshDir();
    await exportVersion(node.ctx, { datanetId, version: 1, outDir: out });
    const path = join(out, "data.jsonl");
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    const row = JSON.parse(lines[0]!) as Row;
    // Keep the row self-consistent (hash of the new text) so only the root can catch it.
    const text = `${row.text} (edited)`;
    lines[0] = JSON.stringify({ ...row, text, contentHash: contentHash(text) });
    writeFileSync(path, `${lines.join("\n")}\n`);
    const onChain = await getVersion(node.ctx.chain!.sdk, { datanetId, version: 1n });
    expect(rootFromFiles(out).root).not.toBe(onChain.contributionsRoot);
  });

  it("refuses unknown versions and versions whose manifest the node does not have", async () => {
    const missing = await exportVersion(node.ctx, { datanetId, version: 9, outDir: freshDir() }).catch(
      (e) => e,
    );
    expect(missing).toBeInstanceOf(VersionError);
    expect((missing as VersionError).code).toBe("VERSION_NOT_FOUND");

    await publishDirectly(f.clientFor(OWNER_ACCOUNT), {
      datanetId,
      contributionsRoot: `0x${"cd".repeat(32)}`,
      count: 1n,
      manifestURI: "https://example.org/elsewhere.json",
    });
    const foreign = await exportVersion(node.ctx, { datanetId, version: 3, outDir: freshDir() }).catch(
      (e) => e,
    );
    expect((foreign as VersionError).code).toBe("MANIFEST_MISSING");
    expect((foreign as VersionError).hint).toMatch(/content store/);
  });
});
