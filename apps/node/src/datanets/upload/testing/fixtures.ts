import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestChain } from "@tributary/contracts/test/fixture";
import { createDatanet, type DatanetPolicy } from "@tributary/sdk";
import type { Hono } from "hono";
import type { LocalAccount } from "viem";
import type { NodeContext } from "../../../context/NodeContext.ts";
import { createNode, type TributaryNode } from "../../../createNode.ts";
import type { UploadView } from "../getUpload.ts";

/** Open policy without stake, the default of test datanets. */
export const testPolicy: DatanetPolicy = {
  curated: true,
  minStake: 0n,
  licenseId: `0x${"00".repeat(32)}`,
  refundStakeOnAccept: true,
};

/** Starts a node on `chain` (key = anvil account 0, the deployer) in `dataDir` (fresh by default). */
export async function startTestNode(
  chain: TestChain,
  options: { dataDir?: string; routes?: ((ctx: NodeContext) => Hono)[] } = {},
): Promise<TributaryNode> {
  return await createNode({
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), "uploads-")),
    chain: {
      rpcUrl: chain.anvil.rpcUrl,
      deployment: chain.deployment,
      account: chain.accounts[0]!,
      pollIntervalMs: 0,
    },
    http: { maxBodyBytes: 8 * 1024 * 1024 },
    ...(options.routes ? { routes: options.routes } : {}),
  });
}

/** Creates a datanet with the node's key and returns its id. */
export async function createTestDatanet(
  node: TributaryNode,
  policy: DatanetPolicy = testPolicy,
): Promise<bigint> {
  const { datanetId } = await createDatanet(node.ctx.chain!.sdk, { metadataURI: "ipfs://test", policy });
  return datanetId;
}

/** Catches the indexer up with the chain. */
export async function syncAll(node: TributaryNode): Promise<void> {
  while (await node.ctx.chain!.indexer.syncOnce()) {}
}

/** Signs every batch of a staged upload as the contributor. */
export async function signAll(account: LocalAccount, upload: UploadView): Promise<`0x${string}`[]> {
  return await Promise.all((upload.signing?.batches ?? []).map((b) => account.signTypedData(b.typedData)));
}

/** Every CID in the node's content store. */
export async function listBlobs(node: TributaryNode): Promise<Set<string>> {
  const out = new Set<string>();
  for await (const cid of node.ctx.store.list()) out.add(cid);
  return out;
}

/** A file from a string. */
export const file = (name: string, text: string) => ({ name, bytes: new TextEncoder().encode(text) });
