import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { contentHash } from "@tributary/core";
import { getContributionIdOf } from "@tributary/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TributaryNode } from "../../createNode.ts";
import { createUploadService } from "./createUploadService.ts";
import { cidOfUri, documentCidOf } from "./documentBlobs.ts";
import type { UploadFailpoint } from "./failpoint.ts";
import { createTestDatanet, listBlobs, signAll, startTestNode, syncAll } from "./testing/fixtures.ts";

const child = fileURLToPath(new URL("./testing/uploadChild.ts", import.meta.url));
let chain: TestChain;
let admin: TributaryNode;

beforeAll(async () => {
  chain = await setupTestChain();
  admin = await startTestNode(chain);
});
afterAll(async () => {
  await admin?.stop();
  await chain?.stop();
});

/** Runs the upload child with a failpoint armed; resolves with how it ended. */
function runChild(
  config: Record<string, unknown>,
  failpoint: string,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", child], {
      env: { ...process.env, TRIBUTARY_FAILPOINT: failpoint, TRIBUTARY_TEST_CONFIG: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => {
      stdout += d;
    });
    proc.stderr.on("data", (d) => {
      stderr += d;
    });
    proc.on("error", reject);
    proc.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * Store, database and chain agree: every registered content hash has its blob and metadata blob; each text is
 * registered at most once; every blob is needed by a live upload row or a registration; every upload is settled
 * (completed or rolled back) and every document row's blobs exist.
 */
async function assertConsistent(node: TributaryNode, datanetId: bigint, texts: string[]) {
  await syncAll(node);
  const registered = new Set<string>();
  for (const t of texts) {
    const id = await getContributionIdOf(node.ctx.chain!.sdk, {
      datanetId,
      contributor: chain.accounts[6]!.address,
      contentHash: contentHash(t),
    });
    if (id !== 0n) registered.add(contentHash(t));
  }
  const rows = await node.db
    .selectFrom("contributions")
    .selectAll()
    .where("datanet_id", "=", Number(datanetId))
    .execute();
  expect(rows.length, "one registration per text, never two").toBe(registered.size);
  const needed = new Set<string>();
  for (const r of rows) {
    expect(
      await node.ctx.store.get(documentCidOf(r.content_hash as `0x${string}`)),
      `content of ${r.id}`,
    ).toBeDefined();
    expect(await node.ctx.store.get(cidOfUri(r.metadata_uri)!), `metadata of ${r.id}`).toBeDefined();
    needed.add(documentCidOf(r.content_hash as `0x${string}`)).add(cidOfUri(r.metadata_uri)!);
  }
  const uploads = await node.db.selectFrom("uploads").selectAll().execute();
  for (const u of uploads) expect(["completed", "rolled_back"], `upload ${u.id}`).toContain(u.status);
  const docs = await node.db
    .selectFrom("upload_documents as d")
    .innerJoin("uploads as u", "u.id", "d.upload_id")
    .select(["d.content_cid", "d.metadata_cid", "d.contribution_id", "u.status"])
    .execute();
  for (const d of docs) {
    expect(d.status, "no document row of a rolled-back upload").not.toBe("rolled_back");
    expect(d.contribution_id, "a completed upload's documents are registered").not.toBeNull();
    expect(await node.ctx.store.has(d.content_cid)).toBe(true);
    expect(await node.ctx.store.has(d.metadata_cid)).toBe(true);
    needed.add(d.content_cid).add(d.metadata_cid);
  }
  expect([...(await listBlobs(node))].sort(), "no orphan blob").toEqual([...needed].sort());
  return { registered, uploads };
}

const cases: {
  failpoint: UploadFailpoint;
  expect: "completed" | "rolled_back" | "staged";
  stealNonce?: boolean;
}[] = [
  { failpoint: "upload:after-rows", expect: "rolled_back" },
  { failpoint: "upload:after-blobs", expect: "rolled_back" },
  { failpoint: "upload:after-db", expect: "staged" },
  { failpoint: "upload:after-intent", expect: "completed" },
  { failpoint: "upload:after-intent", expect: "completed", stealNonce: true },
  { failpoint: "upload:after-broadcast", expect: "completed" },
  { failpoint: "upload:after-receipt", expect: "completed" },
];

describe("upload crash recovery (SIGKILL at each step, restart on the same data directory)", () => {
  for (const c of cases) {
    it(`${c.failpoint}${c.stealNonce ? " (relayer nonce taken meanwhile)" : ""} → ${c.expect}`, async () => {
      const datanetId = await createTestDatanet(admin);
      const dataDir = mkdtempSync(join(tmpdir(), "upload-crash-"));
      const texts = [1, 2, 3].map(
        (i) => `Crash test document ${i} for ${c.failpoint} ${c.stealNonce ?? ""} in datanet ${datanetId}.`,
      );
      const run = await runChild(
        {
          dataDir,
          rpcUrl: chain.anvil.rpcUrl,
          deployment: chain.deployment,
          datanetId: String(datanetId),
          texts,
          batchSize: 2,
        },
        c.failpoint,
      );
      expect(run.signal, `child should die at ${c.failpoint}: ${run.stderr.slice(-500)}`).toBe("SIGKILL");
      if (c.stealNonce) {
        // Another transaction of the node's key takes the nonce the persisted raw transaction was signed with.
        await chain.publicClient.waitForTransactionReceipt({
          hash: await chain.wallets[0]!.sendTransaction({ to: chain.roles.treasury, value: 0n }),
        });
      }
      const node = await startTestNode(chain, { dataDir });
      try {
        const uploads = createUploadService(node.ctx);
        const report = await uploads.recoverUploads();
        const [row] = await node.db.selectFrom("uploads").selectAll().execute();
        expect(row).toBeDefined();
        if (c.expect === "staged") {
          // Staged but never signed (the client got no answer): it can still be signed and submitted.
          expect(row!.status).toBe("staged");
          const view = (await uploads.getUpload(row!.id))!;
          await uploads.submitUpload({
            uploadId: row!.id,
            signatures: await signAll(chain.accounts[6]!, view),
          });
        } else if (c.expect === "rolled_back") expect(report.rolledBack).toEqual([row!.id]);
        else {
          expect(report.completed).toEqual([row!.id]);
          // Same raw transaction rebroadcast (one hash), or signed again after its nonce was taken (two).
          const batch0 = await node.db
            .selectFrom("upload_batches")
            .selectAll()
            .where("batch", "=", 0)
            .executeTakeFirstOrThrow();
          expect(JSON.parse(batch0.tx_hashes)).toHaveLength(c.stealNonce ? 2 : 1);
        }
        const { registered, uploads: settled } = await assertConsistent(node, datanetId, texts);
        const outcome = c.expect === "rolled_back" ? "rolled_back" : "completed";
        expect(settled.map((u) => u.status)).toEqual([outcome]);
        expect(registered.size).toBe(outcome === "completed" ? texts.length : 0);
        // Recovery again changes nothing.
        const second = await uploads.recoverUploads();
        expect([...second.rolledBack, ...second.completed, ...second.pending, ...second.expired]).toEqual([]);
        await assertConsistent(node, datanetId, texts);
      } finally {
        await node.stop();
      }
    });
  }
});
