import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { getVersion, getVersionCount } from "@tributary/sdk";
import type { Hex } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { TributaryNode } from "../../createNode.ts";
import { createLocalContentStore } from "../../store/index.ts";
import { createPublishService } from "./createPublishService.ts";
import type { PublishFailpoint } from "./failpoint.ts";
import { manifestCidOf, parseManifest } from "./parseManifest.ts";
import { type PublishFixture, sampleTexts, setupPublishFixture } from "./testing/publishFixture.ts";

const child = fileURLToPath(new URL("./testing/publishChild.ts", import.meta.url));

/** Runs a publish in a child process that SIGKILLs itself at `failpoint`. */
async function publishInChild(
  f: PublishFixture,
  dataDir: string,
  datanetId: bigint,
  failpoint: PublishFailpoint,
  accountIndex: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", child], {
    env: {
      ...process.env,
      TRIBUTARY_FAILPOINT: failpoint,
      TRIBUTARY_TEST_CONFIG: JSON.stringify({
        dataDir,
        rpcUrl: f.chain.anvil.rpcUrl,
        deployment: f.chain.deployment,
        accountIndex,
        datanetId: datanetId.toString(),
      }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.on("data", (d) => {
    stderr += String(d);
  });
  return await new Promise((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal, stderr })));
}

const steps: PublishFailpoint[] = [
  "after-index",
  "after-manifest",
  "after-db",
  "after-broadcast",
  "after-receipt",
];

type Crash = {
  setup: { dataDir: string; datanetId: bigint; accountIndex: number };
  run: { code: number | null; signal: NodeJS.Signals | null; stderr: string };
};

describe("publication crash safety (SIGKILL at each step, restart, recover)", () => {
  let f: PublishFixture;
  let node: TributaryNode | undefined;
  const dirs: string[] = [];
  /** One crashed child per step (plus the nonce case), all run at once: each has its own node key and datanet. */
  const crashes = new Map<string, Crash>();

  beforeAll(async () => {
    f = await setupPublishFixture();
    const cases = [...steps, "nonce-taken"] as const;
    const setups = [];
    // Node keys 0..5: distinct keys, so concurrent children never compete for a nonce.
    for (const [i, name] of cases.entries()) setups.push([name, await prepare(i)] as const);
    await Promise.all(
      setups.map(async ([name, setup]) => {
        const failpoint = name === "nonce-taken" ? "after-db" : name;
        const run = await publishInChild(f, setup.dataDir, setup.datanetId, failpoint, setup.accountIndex);
        crashes.set(name, { setup, run });
      }),
    );
  });
  afterEach(async () => {
    await node?.stop();
    node = undefined;
  });
  afterAll(async () => {
    await f?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A datanet with three accepted contributions whose blobs are in the store at a fresh data dir. */
  async function prepare(nodeAccountIndex: number): Promise<Crash["setup"]> {
    const dataDir = mkdtempSync(join(tmpdir(), "crash-"));
    dirs.push(dataDir);
    const datanetId = await f.createDatanet({ nodeAccountIndex });
    const ids = await f.contribute(dataDir, datanetId, 7, sampleTexts.slice(0, 3));
    await f.review(
      datanetId,
      ids.map((id) => [id, "accept"]),
    );
    return { dataDir, datanetId, accountIndex: nodeAccountIndex };
  }

  /** Chain, database and stores agree, and exactly one version exists. */
  async function expectConsistent(n: TributaryNode, datanetId: bigint) {
    const sdk = n.ctx.chain!.sdk;
    expect(await getVersionCount(sdk, { datanetId })).toBe(1n);
    const onChain = await getVersion(sdk, { datanetId, version: 1n });
    const cid = manifestCidOf(onChain.manifestURI)!;
    const manifest = parseManifest({ bytes: (await n.ctx.store.get(cid))! });
    expect(manifest.contributionsRoot).toBe(onChain.contributionsRoot);
    expect(manifest.count).toBe(3);
    const rows = await n.db
      .selectFrom("publications")
      .selectAll()
      .where("datanet_id", "=", Number(datanetId))
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      state: "indexed",
      version: 1,
      manifest_cid: cid,
      index_id: manifest.index.id,
    });
    const receipt = await n.ctx.chain!.publicClient.getTransactionReceipt({ hash: rows[0]!.tx_hash as Hex });
    expect(receipt.status).toBe("success");
    const vi = await n.db
      .selectFrom("version_indexes")
      .selectAll()
      .where("datanet_id", "=", Number(datanetId))
      .executeTakeFirstOrThrow();
    expect(vi).toMatchObject({ version: 1, index_id: manifest.index.id });
    expect((await n.indexes.read(vi.index_id))?.contributionIds.length).toBe(3);
    // And publishing again does not create a second version.
    const again = await createPublishService(n.ctx)
      .publishVersion(datanetId)
      .catch((e) => e);
    expect(again.code).toBe("VERSION_UNCHANGED");
    expect(await getVersionCount(sdk, { datanetId })).toBe(1n);
  }

  for (const step of steps) {
    it(`SIGKILL ${step}: restart finishes or redoes the publication, exactly one version`, async () => {
      const { setup, run } = crashes.get(step)!;
      const { dataDir, datanetId, accountIndex } = setup;
      expect(run.signal, run.stderr).toBe("SIGKILL");

      // What the crash left behind, before any recovery.
      const sdk = f.clientFor(accountIndex);
      const versionsBefore = await getVersionCount(sdk, { datanetId });
      expect(versionsBefore).toBe(step === "after-broadcast" || step === "after-receipt" ? 1n : 0n);

      node = await f.startNode(dataDir, { accountIndex });
      const rowsBefore = await node.db.selectFrom("publications").selectAll().execute();
      const store = createLocalContentStore({ dir: join(dataDir, "content") });
      if (step === "after-index" || step === "after-manifest") {
        expect(rowsBefore).toHaveLength(0);
        const indexes = node.indexes;
        const files = readdirSync(join(dataDir, "indexes"));
        expect(files.filter((name) => name.endsWith(".tidx"))).toHaveLength(1);
        expect(existsSync(indexes.pathOf(files[0]!.replace(".tidx", "")))).toBe(true);
      } else {
        expect(rowsBefore).toHaveLength(1);
        const expectedState = {
          "after-db": "planned",
          "after-broadcast": "broadcast",
          "after-receipt": "mined",
        }[step];
        expect(rowsBefore[0]!.state).toBe(expectedState);
        expect(await store.has(rowsBefore[0]!.manifest_cid)).toBe(true);
      }

      const recovered = await createPublishService(node.ctx).recoverPublications();
      expect(recovered.failed).toEqual([]);
      if (rowsBefore.length === 0) {
        expect(recovered.completed).toHaveLength(0);
        const published = await createPublishService(node.ctx).publishVersion(datanetId);
        expect(published.version).toBe(1);
      } else {
        expect(recovered.completed).toHaveLength(1);
        // The very transaction signed before the crash is the one that published.
        expect(recovered.completed[0]!.txHash).toBe(rowsBefore[0]!.tx_hash);
      }
      await expectConsistent(node, datanetId);
    });
  }

  it("signs again with a fresh nonce when the planned nonce went to another transaction, still one version", async () => {
    const { setup, run } = crashes.get("nonce-taken")!;
    const { dataDir, datanetId, accountIndex } = setup;
    expect(run.signal, run.stderr).toBe("SIGKILL");
    node = await f.startNode(dataDir, { accountIndex });
    const [planned] = await node.db.selectFrom("publications").selectAll().execute();
    // The node's key sends something else first (a relayed upload, say): the planned nonce is gone.
    const wallet = node.ctx.chain!.walletClient;
    const other = await wallet.sendTransaction({
      to: wallet.account.address,
      value: 0n,
      nonce: planned!.nonce,
    });
    await node.ctx.chain!.publicClient.waitForTransactionReceipt({ hash: other });

    const recovered = await createPublishService(node.ctx).recoverPublications();
    expect(recovered.failed).toEqual([]);
    expect(recovered.completed[0]!.txHash).not.toBe(planned!.tx_hash);
    await expectConsistent(node, datanetId);
  });
});
