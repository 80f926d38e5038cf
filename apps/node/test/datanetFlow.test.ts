import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datanetRegistryAbi } from "@tributary/abi";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { buildContributionsTree, contentHash } from "@tributary/core";
import { createNodeClient, signUpload, TributaryError } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatanetRoutes, createNode, createVersionRoutes, type TributaryNode } from "../src/index.ts";

/**
 * The datanet story end to end, as a user drives it: a real node on loopback HTTP over a real anvil,
 * used only through the SDK's HTTP client and the contributor's own key.
 */
describe("datanet flow over HTTP (SDK client → node → chain → index → attribution)", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;

  beforeAll(async () => {
    chain = await setupTestChain();
    node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "flow-")),
      http: { port: 0, maxBodyBytes: 16 * 1024 * 1024 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 100,
      },
      routes: [(ctx) => createDatanetRoutes(ctx), (ctx) => createVersionRoutes(ctx)],
    });
    ({ url } = await node.listen());
  });
  afterAll(async () => {
    await node?.stop();
    await chain?.stop();
  });

  async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
    const end = Date.now() + 20_000;
    for (;;) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it("contribute, see it on chain under the contributor's address, curate, publish, export, attribute", async () => {
    const api = createNodeClient({ baseUrl: url });
    const contributor = chain.accounts[6]!;
    const whale =
      "The whale rose beside the ship at dawn, and every harpooneer aboard the Pequod stood silent at the rail.";
    const sea =
      "# Notes on the sea\n\nThe sea keeps its own counsel; sailors learn to read the colour of the water.";

    const created = await api.createDatanet({
      metadataURI: "ipfs://whaling-card",
      policy: { curated: true, minStake: 0n, license: "CC-BY-4.0" },
    });
    const datanetId = BigInt(created.datanetId);

    const staged = await api.stageUpload({
      datanetId,
      contributor: contributor.address,
      files: [
        { name: "whale.txt", content: whale },
        { name: "sea.md", content: sea },
      ],
    });
    expect(staged.documents.map((d) => d.contentHash)).toEqual([contentHash(whale), contentHash(sea)]);
    const done = await api.submitUpload(staged.id, await signUpload(staged, contributor));
    expect(done.status).toBe("completed");

    // On chain, under the contributor's address, and visible through the node once indexed.
    const ids = done.documents.map((d) => BigInt(d.contributionId as string));
    for (const id of ids) {
      const onChain = (await chain.publicClient.readContract({
        address: chain.deployment.contracts.datanetRegistry,
        abi: datanetRegistryAbi,
        functionName: "getContribution",
        args: [id],
      })) as { contributor: string };
      expect(onChain.contributor).toBe(contributor.address);
    }
    const pending = await eventually(
      () => api.listContributions(datanetId, { status: "Pending" }),
      (p) => p.items.length === 2,
      "two pending contributions",
    );
    expect(pending.items.map((c) => c.contributor)).toEqual([
      contributor.address.toLowerCase(),
      contributor.address.toLowerCase(),
    ]);

    // A bad file changes nothing and says why.
    const refused = await api
      .stageUpload({
        datanetId,
        contributor: contributor.address,
        files: [{ name: "blob.exe", content: "MZ..." }],
      })
      .catch((e) => e);
    expect(refused).toBeInstanceOf(TributaryError);
    expect((refused as TributaryError).hint).toBeTruthy();

    const queue = await api.listCuration(datanetId);
    expect(queue.items).toHaveLength(2);
    await api.review(
      datanetId,
      ids.map((contributionId) => ({ contributionId, verdict: "accept" as const })),
    );
    await eventually(
      () => api.listContributions(datanetId, { status: "Accepted" }),
      (p) => p.items.length === 2,
      "two accepted contributions",
    );

    const published = await api.publishVersion(datanetId);
    expect(published).toMatchObject({ version: 1 });
    const exported = await api.exportVersion(datanetId, 1);
    // Anyone can re-derive the on-chain root from the exported files alone.
    const rows = exported.files["data.jsonl"]
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { id: string; contributor: `0x${string}`; text: string });
    const root = buildContributionsTree(
      rows.map((r) => ({
        contributionId: BigInt(r.id),
        contentHash: contentHash(r.text),
        contributor: r.contributor,
      })),
    ).root;
    const version = (await chain.publicClient.readContract({
      address: chain.deployment.contracts.datanetRegistry,
      abi: datanetRegistryAbi,
      functionName: "getVersion",
      args: [datanetId, 1n],
    })) as { contributionsRoot: string };
    expect(root).toBe(version.contributionsRoot);

    // The version's attribution index was built on publish: an audit of a quoted sentence finds its source.
    const audit = await api.attribute({
      datanetId,
      version: 1,
      text: "She wrote that every harpooneer aboard the Pequod stood silent at the rail, and nobody spoke.",
    });
    expect(audit.attribution.contributions.map((c) => [String(c.contributionId), Number(c.ppm)])).toEqual([
      [String(ids[0]), 1_000_000],
    ]);
  });
});
