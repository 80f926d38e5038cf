import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildContributionsTree, canonicalJson, contentHash, normalizeText } from "@tributary/core";
import {
  getVersion,
  getVersionCount,
  publishVersion as publishDirectly,
  setPayoutAddress,
  withdrawContribution,
} from "@tributary/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TributaryNode } from "../../createNode.ts";
import { createPublishService } from "./createPublishService.ts";
import { VersionError } from "./errors.ts";
import { parseManifest } from "./parseManifest.ts";
import {
  OWNER_ACCOUNT,
  type PublishFixture,
  sampleTexts,
  setupPublishFixture,
} from "./testing/publishFixture.ts";

const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "publish-"));
  dirs.push(dir);
  return dir;
};

async function rejection(promise: Promise<unknown>): Promise<VersionError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VersionError);
  return error as VersionError;
}

describe("publishVersion", () => {
  let f: PublishFixture;
  let node: TributaryNode | undefined;
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

  it("publishes exactly the accepted contributions: chain root = tree, manifest and index stored, attribution served", async () => {
    const dataDir = freshDir();
    const id = await f.createDatanet();
    const a = await f.contribute(dataDir, id, 7, sampleTexts.slice(0, 3));
    const b = await f.contribute(dataDir, id, 8, sampleTexts.slice(3, 5));
    await f.review(id, [
      [a[0]!, "accept"],
      [a[1]!, "accept"],
      [a[2]!, "reject"],
      [b[0]!, "accept"],
    ]); // b[1] stays Pending
    await withdrawContribution(f.clientFor(8), { contributionId: b[0]! }); // consent revoked
    const payout = f.chain.accounts[9]!.address;
    await setPayoutAddress(f.clientFor(7), { payout });

    node = await f.startNode(dataDir);
    const published = await createPublishService(node.ctx).publishVersion(id);
    expect(published).toMatchObject({ version: 1, plannedVersion: 1, count: 2, state: "indexed" });

    const contributor = f.chain.accounts[7]!.address;
    const expected = buildContributionsTree(
      [0, 1].map((i) => ({
        contributionId: a[i]!,
        contentHash: contentHash(normalizeText(sampleTexts[i]!)),
        contributor,
      })),
    );
    const sdk = node.ctx.chain!.sdk;
    const onChain = await getVersion(sdk, { datanetId: id, version: 1n });
    expect(onChain.contributionsRoot).toBe(expected.root);
    expect(onChain.count).toBe(2n);
    expect(onChain.manifestURI).toBe(`ipfs://${published.manifestCid}`);
    expect(await getVersionCount(sdk, { datanetId: id })).toBe(1n);

    const bytes = (await node.ctx.store.get(published.manifestCid))!;
    const manifest = parseManifest({ bytes });
    expect(new TextDecoder().decode(bytes)).toBe(canonicalJson(manifest));
    expect(manifest).toMatchObject({
      datanetId: id.toString(),
      version: 1,
      contributionsRoot: expected.root,
      count: 2,
      tokenizer: "r50k_base",
      license: "CC-BY-4.0",
      index: { id: published.indexId },
      totals: { contributors: 1 },
    });
    expect(manifest.contributions.map((c) => c.id)).toEqual([a[0]!.toString(), a[1]!.toString()]);
    const first = manifest.contributions[0]!;
    expect(first.payout).toBe(payout);
    expect(first.contributor).toBe(contributor);
    expect(first.tokens).toBe(node.ctx.tokenizer.encode(normalizeText(sampleTexts[0]!)).length);
    expect(first.size).toBe(new TextEncoder().encode(normalizeText(sampleTexts[0]!)).length);

    const index = await node.indexes.read(published.indexId);
    expect(index?.contributionIds).toEqual(new BigUint64Array([a[0]!, a[1]!]));
    const row = await node.db.selectFrom("version_indexes").selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ datanet_id: Number(id), version: 1, index_id: published.indexId });

    const res = await node.app.request("/v1/attribution", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        datanetId: id.toString(),
        version: 1,
        text: "Witness: the harpooneers stood ready in the whaleboats at dawn while the mate watched the spout.",
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { attribution: { contributions: { contributionId: string }[] } };
    expect(body.attribution.contributions.map((c) => String(c.contributionId))).toEqual([a[1]!.toString()]);
  });

  it("refuses an empty version, a node that is not a curator, an unchanged set and missing content, with hints", async () => {
    const dataDir = freshDir();
    node = await f.startNode(dataDir);
    const service = createPublishService(node.ctx);
    const nodeAddress = f.nodeAccount.address;

    const empty = await f.createDatanet();
    const ids = await f.contribute(dataDir, empty, 7, [sampleTexts[0]!]);
    const e1 = await rejection(service.publishVersion(empty)); // only Pending
    expect(e1.code).toBe("EMPTY_VERSION");
    expect(e1.hint).toMatch(/accept/i);

    const foreign = await f.createDatanet({ nodeIsCurator: false });
    const e2 = await rejection(service.publishVersion(foreign));
    expect(e2.code).toBe("NODE_NOT_CURATOR");
    expect(e2.message).toContain(nodeAddress);
    expect(e2.hint).toContain(`add ${nodeAddress} as a curator`);

    await f.review(empty, [[ids[0]!, "accept"]]);
    expect((await service.publishVersion(empty)).version).toBe(1);
    const e3 = await rejection(service.publishVersion(empty));
    expect(e3.code).toBe("VERSION_UNCHANGED");

    const [lost] = await f.contribute(dataDir, empty, 8, [sampleTexts[1]!]);
    await f.review(empty, [[lost!, "accept"]]);
    const blob = await node.ctx.store.put(new TextEncoder().encode(normalizeText(sampleTexts[1]!)));
    await node.ctx.store.delete(blob.cid);
    const e4 = await rejection(service.publishVersion(empty));
    expect(e4.code).toBe("CONTENT_MISSING");
    expect(e4.message).toContain(lost!.toString());
    expect(await getVersionCount(node.ctx.chain!.sdk, { datanetId: empty })).toBe(1n);

    const e5 = await rejection(service.publishVersion(999n));
    expect(e5.code).toBe("DATANET_NOT_FOUND");
  });

  it("indexes a version a curator published directly, from the accepted set, and reports one it cannot", async () => {
    const dataDir = freshDir();
    const id = await f.createDatanet();
    const ids = await f.contribute(dataDir, id, 7, sampleTexts.slice(0, 2));
    await f.review(id, [
      [ids[0]!, "accept"],
      [ids[1]!, "accept"],
    ]);
    const contributor = f.chain.accounts[7]!.address;
    const tree = buildContributionsTree(
      ids.map((contributionId, i) => ({
        contributionId,
        contentHash: contentHash(normalizeText(sampleTexts[i]!)),
        contributor,
      })),
    );
    const owner = f.clientFor(OWNER_ACCOUNT);
    await publishDirectly(owner, {
      datanetId: id,
      contributionsRoot: tree.root,
      count: 2n,
      manifestURI: "https://example.org/m.json",
    });
    await publishDirectly(owner, {
      datanetId: id,
      contributionsRoot: `0x${"ab".repeat(32)}`,
      count: 1n,
      manifestURI: "ipfs://bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
    });
    node = await f.startNode(dataDir);
    const outcomes = await createPublishService(node.ctx).indexPublishedVersions({ datanetId: id });
    expect(outcomes.map((o) => [o.version, o.status])).toEqual([
      [1, "indexed"],
      [2, "missing-manifest"],
    ]);
    const index = await node.indexes.read(outcomes[0]!.indexId!);
    expect(index?.contributionIds).toEqual(new BigUint64Array(ids));
    // Idempotent: nothing left for version 1, version 2 is reported again.
    const again = await createPublishService(node.ctx).indexPublishedVersions({ datanetId: id });
    expect(again.map((o) => o.version)).toEqual([2]);
  });
});
