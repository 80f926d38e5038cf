import { expectRevert, setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { contentHash } from "@tributary/core";
import {
  contributeBatch,
  contributeBatchWithSig,
  createTributaryClient,
  getContributionCount,
  getContributionIdOf,
} from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TributaryNode } from "../../createNode.ts";
import { cidForBytes } from "../../store/cid.ts";
import { createUploadService, type UploadService } from "./createUploadService.ts";
import { cidOfUri, documentCidOf } from "./documentBlobs.ts";
import { DatanetError } from "./errors.ts";
import { createTestDatanet, file, listBlobs, signAll, startTestNode, syncAll } from "./testing/fixtures.ts";

const moby =
  "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world.";
const whale =
  "It is a way I have of driving off the spleen and regulating the circulation. Whenever I find myself growing grim about the mouth; whenever it is a damp, drizzly November in my soul, I account it high time to get to sea.";

let chain: TestChain;
let node: TributaryNode;
let uploads: UploadService;
const contributorAccount = () => chain.accounts[6]!;

beforeAll(async () => {
  chain = await setupTestChain();
  node = await startTestNode(chain);
  uploads = createUploadService(node.ctx);
});
afterAll(async () => {
  await node?.stop();
  await chain?.stop();
});

async function refused(promise: Promise<unknown>, code: string): Promise<DatanetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeInstanceOf(DatanetError);
  expect((error as DatanetError).code).toBe(code);
  return error as DatanetError;
}

describe("stageUpload + submitUpload (relayed)", () => {
  it("registers every document under the contributor, with its blob and metadata blob in the store", async () => {
    const datanetId = await createTestDatanet(node);
    const contributor = contributorAccount();
    const staged = await uploads.stageUpload({
      datanetId,
      contributor: contributor.address,
      files: [
        file("a.txt", `${moby}\r\n`),
        file("b.jsonl", `{"text":${JSON.stringify(whale)}}\n{"text":"third row"}\n`),
      ],
    });
    expect(staged.status).toBe("staged");
    expect(staged.documents.map((d) => [d.sourceName, d.locator])).toEqual([
      ["a.txt", "file"],
      ["b.jsonl", "line 1"],
      ["b.jsonl", "line 2"],
    ]);
    expect(staged.documents[0]!.contentHash).toBe(contentHash(moby)); // CRLF normalized away
    expect(staged.signing?.batches).toHaveLength(1);
    const done = await uploads.submitUpload({
      uploadId: staged.id,
      signatures: await signAll(contributor, staged),
    });
    expect(done.status).toBe("completed");
    expect(done.batches.map((b) => b.status)).toEqual(["mined"]);
    await syncAll(node);
    for (const d of done.documents) {
      expect(d.contributionId).not.toBeNull();
      const row = await node.db
        .selectFrom("contributions")
        .selectAll()
        .where("id", "=", Number(d.contributionId))
        .executeTakeFirstOrThrow();
      expect(row.contributor).toBe(contributor.address.toLowerCase());
      expect(row.content_hash).toBe(d.contentHash);
      // The blob is found from the chain alone: CID of the content hash; its bytes hash to it.
      const bytes = await node.ctx.store.get(documentCidOf(row.content_hash as `0x${string}`));
      expect(bytes && cidForBytes(bytes).sha256).toBe(row.content_hash);
      const meta = JSON.parse(
        new TextDecoder().decode(await node.ctx.store.get(cidOfUri(row.metadata_uri)!)),
      );
      expect(meta).toMatchObject({
        content: d.contentCid,
        contentHash: d.contentHash,
        source: { name: d.sourceName },
      });
    }
  });

  it("refuses a bad file, naming it, and writes nothing", async () => {
    const datanetId = await createTestDatanet(node);
    const before = await listBlobs(node);
    const rowsBefore = await node.db.selectFrom("uploads").select("id").execute();
    const e = await refused(
      uploads.stageUpload({
        datanetId,
        contributor: contributorAccount().address,
        files: [
          file("good.txt", "fine text here"),
          { name: "bad.txt", bytes: new Uint8Array([0x61, 0xff, 0x62]) },
        ],
      }),
      "INVALID_UTF8",
    );
    expect(e.message).toContain("bad.txt");
    expect(e.status).toBe(400);
    const jsonl = await refused(
      uploads.stageUpload({
        datanetId,
        contributor: contributorAccount().address,
        files: [file("rows.jsonl", '{"text":"ok"}\n{"nope":1}\n')],
      }),
      "JSONL_UNKNOWN_SHAPE",
    );
    expect(jsonl.details).toMatchObject({ file: "rows.jsonl", line: 2 });
    expect(await listBlobs(node)).toEqual(before);
    expect(await node.db.selectFrom("uploads").select("id").execute()).toEqual(rowsBefore);
  });

  it("refuses exact duplicates within the upload, on chain and in flight", async () => {
    const datanetId = await createTestDatanet(node);
    const contributor = contributorAccount();
    const before = await listBlobs(node);
    const within = await refused(
      uploads.stageUpload({
        datanetId,
        contributor: contributor.address,
        files: [file("x.txt", "same words"), file("y.md", "same words\n\n")],
      }),
      "DUPLICATE_IN_UPLOAD",
    );
    expect(within.message).toMatch(/y\.md.*x\.txt/);
    expect(await listBlobs(node)).toEqual(before);
    const staged = await uploads.stageUpload({
      datanetId,
      contributor: contributor.address,
      files: [file("x.txt", "same words")],
    });
    await refused(
      uploads.stageUpload({
        datanetId,
        contributor: contributor.address,
        files: [file("z.txt", "same words")],
      }),
      "DUPLICATE_IN_FLIGHT",
    );
    const done = await uploads.submitUpload({
      uploadId: staged.id,
      signatures: await signAll(contributor, staged),
    });
    const onChain = await refused(
      uploads.stageUpload({
        datanetId,
        contributor: chain.accounts[7]!.address,
        files: [file("z.txt", "same words")],
      }),
      "DUPLICATE_CONTENT",
    );
    expect(onChain.message).toContain(
      `z.txt (file) is already contribution ${done.documents[0]!.contributionId}`,
    );
  });

  it("flags near-duplicates of contributions in other datanets, or refuses them under a refuse policy", async () => {
    const first = await createTestDatanet(node);
    const contributor = contributorAccount();
    const original = await uploads.stageUpload({
      datanetId: first,
      contributor: contributor.address,
      files: [file("m.txt", `${moby} ${whale}`)],
    });
    const done = await uploads.submitUpload({
      uploadId: original.id,
      signatures: await signAll(contributor, original),
    });
    await syncAll(node);
    const second = await createTestDatanet(node);
    const copy = `${moby} ${whale.replace("November", "December")}`;
    const flagged = await uploads.stageUpload({
      datanetId: second,
      contributor: chain.accounts[7]!.address,
      files: [file("copy.txt", copy)],
    });
    const flag = flagged.documents[0]!.nearDuplicates[0];
    expect(flag).toMatchObject({
      kind: "contribution",
      contributionId: String(done.documents[0]!.contributionId),
      datanetId: String(first),
    });
    expect((flag as { similarity: number }).similarity).toBeGreaterThan(0.8);
    const third = await createTestDatanet(node);
    await uploads.setDatanetSettings(third, {
      nearDuplicatePolicy: "refuse",
      nearDuplicateThreshold: 0.8,
      relayEnabled: true,
    });
    const before = await listBlobs(node);
    const e = await refused(
      uploads.stageUpload({
        datanetId: third,
        contributor: chain.accounts[7]!.address,
        files: [file("copy.txt", copy)],
      }),
      "NEAR_DUPLICATE",
    );
    expect(e.message).toContain("copy.txt");
    expect(await listBlobs(node)).toEqual(before);
  });

  it("relays one signature per batch, and a registration can never happen twice", async () => {
    const datanetId = await createTestDatanet(node);
    const contributor = contributorAccount();
    const small = createUploadService(node.ctx, { batchSize: 2 });
    const texts = ["alpha one", "beta two", "gamma three", "delta four", "epsilon five"];
    const staged = await small.stageUpload({
      datanetId,
      contributor: contributor.address,
      files: texts.map((t, i) => file(`${i}.txt`, t)),
    });
    expect(staged.signing?.batches.map((b) => b.typedData.message.contentHashes.length)).toEqual([2, 2, 1]);
    const signatures = await signAll(contributor, staged);
    await refused(
      small.submitUpload({
        uploadId: staged.id,
        signatures: [signatures[1]!, signatures[0]!, signatures[2]!],
      }),
      "INVALID_SIGNATURE",
    );
    const done = await small.submitUpload({ uploadId: staged.id, signatures });
    expect(done.status).toBe("completed");
    expect(new Set(done.batches.map((b) => b.txHash)).size).toBe(3);
    const count = await getContributionCount(node.ctx.chain!.sdk);
    // The same signed batch again: the contributor's nonce is used, so the signature no longer verifies.
    const batch0 = staged.signing!.batches[0]!.typedData.message;
    await expectRevert(
      contributeBatchWithSig(node.ctx.chain!.sdk, {
        datanetId,
        contentHashes: batch0.contentHashes,
        sizes: batch0.sizes,
        metadataURIs: batch0.metadataURIs,
        contributor: contributor.address,
        deadline: batch0.deadline,
        signature: signatures[0]!,
      }),
      "DatanetRegistryInvalidSignature",
    );
    // The exact raw transaction again: refused by the chain (its nonce is used).
    const row = await node.db
      .selectFrom("upload_batches")
      .selectAll()
      .where("upload_id", "=", staged.id)
      .where("batch", "=", 0)
      .executeTakeFirstOrThrow();
    await expect(
      node.ctx.chain!.publicClient.sendRawTransaction({ serializedTransaction: row.raw_tx as `0x${string}` }),
    ).rejects.toThrow();
    // Submitting the completed upload again is a no-op.
    expect((await small.submitUpload({ uploadId: staged.id, signatures: [] })).status).toBe("completed");
    expect(await getContributionCount(node.ctx.chain!.sdk)).toBe(count);
  });

  it("releases an expired upload's blobs and rows", async () => {
    const datanetId = await createTestDatanet(node);
    const quick = createUploadService(node.ctx, { stagingTtlSeconds: 60 });
    const before = await listBlobs(node);
    const staged = await quick.stageUpload({
      datanetId,
      contributor: contributorAccount().address,
      files: [file("e.txt", "expires soon, never signed")],
    });
    expect((await listBlobs(node)).size).toBe(before.size + 2);
    await chain.testClient.increaseTime({ seconds: 120 });
    await chain.testClient.mine({ blocks: 1 });
    const later = createUploadService(node.ctx, { now: () => Date.now() + 120_000 });
    const report = await later.recoverUploads();
    expect(report.expired).toContain(staged.id);
    expect(await listBlobs(node)).toEqual(before);
    const view = await later.getUpload(staged.id);
    expect(view).toMatchObject({ status: "rolled_back", documents: [] });
    await refused(later.submitUpload({ uploadId: staged.id, signatures: [] }), "UPLOAD_GONE");
  });
});

describe("stageUpload (direct)", () => {
  it("matches the contributor's own registration by content hash", async () => {
    const datanetId = await createTestDatanet(node);
    const contributor = contributorAccount();
    const staged = await uploads.stageUpload({
      datanetId,
      contributor: contributor.address,
      files: [file("d.txt", "sent directly by its author")],
      mode: "direct",
    });
    expect(staged.signing).toBeUndefined();
    const call = staged.direct!.batches[0]!;
    const own = createTributaryClient({
      publicClient: node.ctx.chain!.publicClient as never,
      walletClient: chain.wallets[6]! as never,
      addresses: chain.deployment.contracts,
    });
    const { contributionIds } = await contributeBatch(own, { datanetId, ...call });
    await syncAll(node);
    const view = await uploads.getUpload(staged.id);
    expect(view?.status).toBe("completed");
    expect(view?.documents[0]?.contributionId).toBe(contributionIds[0]);
    expect(
      await getContributionIdOf(own, {
        datanetId,
        contributor: contributor.address,
        contentHash: call.contentHashes[0]!,
      }),
    ).toBe(contributionIds[0]);
  });
});
