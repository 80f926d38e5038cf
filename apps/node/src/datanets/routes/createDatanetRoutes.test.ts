import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { createDatanet, createTributaryClient, withdrawContribution } from "@tributary/sdk";
import type { TypedDataDefinition } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TributaryNode } from "../../createNode.ts";
import { listBlobs, startTestNode, syncAll, testPolicy } from "../upload/testing/fixtures.ts";
import { createDatanetRoutes } from "./createDatanetRoutes.ts";

let chain: TestChain;
let node: TributaryNode;

const moby =
  "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, and nothing particular to interest me on shore, I thought I would sail about a little and see the watery part of the world.";

beforeAll(async () => {
  chain = await setupTestChain();
  node = await startTestNode(chain, {
    routes: [(ctx) => createDatanetRoutes(ctx, { maxUploadBytes: 4096 })],
  });
});
afterAll(async () => {
  await node?.stop();
  await chain?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field with expect
type Json = Record<string, any>;
async function call(path: string, init?: RequestInit): Promise<{ status: number; body: Json }> {
  const res = await node.app.request(path, init);
  return { status: res.status, body: (await res.json()) as Json };
}
const post = (path: string, body: unknown) =>
  call(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

function form(
  contributor: string,
  files: [string, string | Uint8Array][],
  extra: Record<string, string> = {},
) {
  const f = new FormData();
  f.set("contributor", contributor);
  for (const [k, v] of Object.entries(extra)) f.set(k, v);
  for (const [name, content] of files) f.append("files", new Blob([content as BlobPart]), name);
  return f;
}

/** The typed data of the API (uints as decimal strings) back to what viem signs. */
function typedDataOf(json: Json): TypedDataDefinition {
  const m = json.message;
  return {
    ...json,
    message: {
      ...m,
      datanetId: BigInt(m.datanetId),
      sizes: m.sizes.map(BigInt),
      stake: BigInt(m.stake),
      nonce: BigInt(m.nonce),
      deadline: BigInt(m.deadline),
    },
  } as TypedDataDefinition;
}

async function createViaApi(extra: Json = {}) {
  const res = await post("/v1/datanets", {
    metadataURI: "ipfs://datanet-card",
    policy: { curated: true, minStake: "0", license: "CC-BY-4.0" },
    ...extra,
  });
  expect(res.status).toBe(201);
  await syncAll(node);
  return BigInt(res.body.datanetId);
}

describe("datanet routes", () => {
  it("creates, lists with pagination and reads datanets", async () => {
    const a = await createViaApi();
    const b = await createViaApi({ nearDuplicatePolicy: "refuse" });
    const first = await call("/v1/datanets?limit=1");
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(1);
    const second = await call(`/v1/datanets?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    const one = await call(`/v1/datanets/${b}`);
    expect(one.body).toMatchObject({
      id: String(b),
      indexed: true,
      owner: chain.accounts[0]!.address.toLowerCase(),
      policy: { curated: true },
      settings: { nearDuplicatePolicy: "refuse" },
    });
    expect((await call(`/v1/datanets/${a}`)).body.settings.nearDuplicatePolicy).toBe("flag");
    const missing = await call("/v1/datanets/99999");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: "DATANET_NOT_FOUND" });
    expect((await call("/v1/datanets/abc")).body.error.code).toBe("INVALID_REQUEST");
    const bad = await post("/v1/datanets", { metadataURI: "x", policy: { curated: "yes" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("policy.curated");
  });

  it("uploads (multipart), submits the signature, curates and reviews; the contributor withdraws", async () => {
    const datanetId = await createViaApi();
    const contributor = chain.accounts[6]!;
    const staged = await call(`/v1/datanets/${datanetId}/uploads`, {
      method: "POST",
      body: form(contributor.address, [
        ["moby.txt", moby],
        ["rows.csv", "text,topic\nfirst row of the csv,a\nsecond row of the csv,b\n"],
      ]),
    });
    expect(staged.status).toBe(201);
    expect(staged.body.documents.map((d: Json) => d.locator)).toEqual(["file", "row 1", "row 2"]);
    const signatures = await Promise.all(
      staged.body.signing.batches.map((b: Json) =>
        contributor.signTypedData(typedDataOf(b.typedData) as never),
      ),
    );
    const wrong = await post(`/v1/uploads/${staged.body.id}/submit`, { signatures: [] });
    expect(wrong.body.error.code).toBe("SIGNATURE_COUNT");
    const done = await post(`/v1/uploads/${staged.body.id}/submit`, { signatures });
    expect(done.status).toBe(200);
    expect(done.body.status).toBe("completed");
    expect((await call(`/v1/uploads/${staged.body.id}`)).body.status).toBe("completed");
    await syncAll(node);

    const pending = await call(`/v1/datanets/${datanetId}/contributions?status=Pending&limit=2`);
    expect(pending.body.items).toHaveLength(2);
    expect(pending.body.nextCursor).not.toBeNull();
    const contribution = await call(`/v1/contributions/${done.body.documents[1].contributionId}`);
    expect(contribution.body).toMatchObject({
      contributor: contributor.address.toLowerCase(),
      status: "Pending",
      preview: "first row of the csv",
      available: true,
      uploadId: staged.body.id,
      metadata: { source: { name: "rows.csv", locator: "row 1", format: "csv" }, fields: { topic: "a" } },
    });

    // A near copy in another datanet is flagged on the curation page, pointing at the original.
    const other = await createViaApi();
    const copy = await call(`/v1/datanets/${other}/uploads`, {
      method: "POST",
      body: form(chain.accounts[7]!.address, [["copy.txt", moby.replace("Ishmael", "Ahab")]]),
    });
    expect(copy.status).toBe(201);
    const copier = chain.accounts[7]!;
    const sig = await copier.signTypedData(typedDataOf(copy.body.signing.batches[0].typedData) as never);
    expect((await post(`/v1/uploads/${copy.body.id}/submit`, { signature: sig })).body.status).toBe(
      "completed",
    );
    await syncAll(node);
    const curation = await call(`/v1/datanets/${other}/curation`);
    expect(curation.body.items).toHaveLength(1);
    expect(curation.body.items[0]).toMatchObject({
      preview: expect.stringContaining("Call me Ahab"),
      nearDuplicates: [
        { contributionId: String(done.body.documents[0].contributionId), datanetId: String(datanetId) },
      ],
    });
    expect(curation.body.items[0].nearDuplicates[0].similarity).toBeGreaterThan(0.8);

    const ids = done.body.documents.map((d: Json) => d.contributionId);
    const reviewed = await post(`/v1/datanets/${datanetId}/review`, {
      reviews: [
        { contributionId: ids[0], verdict: "accept" },
        { contributionId: ids[1], verdict: "reject" },
      ],
    });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.transactions[0]).toMatchObject({ accepted: [ids[0]], rejected: [ids[1]] });
    await syncAll(node);
    expect((await call(`/v1/contributions/${ids[0]}`)).body.status).toBe("Accepted");
    const again = await post(`/v1/datanets/${datanetId}/review`, {
      reviews: [{ contributionId: ids[0], verdict: "accept" }],
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("NOT_REVIEWABLE");

    // Consent is withdrawn by the contributor on the contract; the indexer follows.
    const own = createTributaryClient({
      publicClient: node.ctx.chain!.publicClient as never,
      walletClient: chain.wallets[6]! as never,
      addresses: chain.deployment.contracts,
    });
    await withdrawContribution(own, { contributionId: BigInt(ids[0]) });
    await syncAll(node);
    expect((await call(`/v1/contributions/${ids[0]}`)).body.status).toBe("Withdrawn");
  });

  it("refuses review when the node is not a curator", async () => {
    const outsider = createTributaryClient({
      publicClient: node.ctx.chain!.publicClient as never,
      walletClient: chain.wallets[8]! as never,
      addresses: chain.deployment.contracts,
    });
    const { datanetId } = await createDatanet(outsider, { metadataURI: "ipfs://theirs", policy: testPolicy });
    const res = await post(`/v1/datanets/${datanetId}/review`, {
      reviews: [{ contributionId: "1", verdict: "accept" }],
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: "NODE_NOT_CURATOR",
      hint: expect.stringContaining("review"),
    });
  });

  it("refuses oversize and bad uploads with one error shape, leaving nothing behind", async () => {
    const datanetId = await createViaApi();
    const before = await listBlobs(node);
    const uploadsBefore = await node.db.selectFrom("uploads").select("id").execute();
    const big = await call(`/v1/datanets/${datanetId}/uploads`, {
      method: "POST",
      body: form(chain.accounts[6]!.address, [["big.txt", "x ".repeat(5000)]]),
    });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("UPLOAD_TOO_LARGE");
    const pdf = await call(`/v1/datanets/${datanetId}/uploads`, {
      method: "POST",
      body: form(chain.accounts[6]!.address, [
        ["ok.md", "# fine"],
        ["fake.txt", "%PDF-1.7 not text"],
      ]),
    });
    expect(pdf.status).toBe(400);
    expect(pdf.body.error).toMatchObject({
      code: "WRONG_EXTENSION",
      message: expect.stringContaining("fake.txt"),
    });
    const noContributor = await call(`/v1/datanets/${datanetId}/uploads`, {
      method: "POST",
      body: (() => {
        const f = form("x", [["a.txt", "a"]]);
        f.delete("contributor");
        return f;
      })(),
    });
    expect(noContributor.body.error.code).toBe("INVALID_REQUEST");
    expect((await call("/v1/uploads/00000000000000000000000000000000")).status).toBe(404);
    expect(await listBlobs(node)).toEqual(before);
    expect(await node.db.selectFrom("uploads").select("id").execute()).toEqual(uploadsBefore);
  });
});
