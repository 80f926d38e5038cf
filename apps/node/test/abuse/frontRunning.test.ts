import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datanetRegistryAbi } from "@tributary/abi";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import {
  createDatanet,
  createNodeClient,
  getContributionIdOf,
  signUpload,
  TributaryError,
} from "@tributary/sdk";
import { decodeFunctionData, type Hex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatanetRoutes, createNode, createVersionRoutes, type TributaryNode } from "../../src/index.ts";

type PendingTx = { hash: Hex; to: Hex | null; input: Hex; maxPriorityFeePerGas?: Hex; maxFeePerGas?: Hex };

/**
 * Issue 11, item 6: an attacker watches the mempool, reads the node's relayed `contributeBatchWithSig` calldata
 * and races it with `contribute(sameDatanet, sameHash)` from its own address at a higher gas price. The contract
 * binds the dedupe key to the contributor, so the relayed transaction still registers the contributor's
 * contribution; the node marks the attacker's registration as a copy (curation `copyOf`), refuses to accept it and
 * leaves it out of versions.
 */
describe("abuse: front-running a relayed contribution", () => {
  let chain: TestChain;
  let node: TributaryNode;
  let url: string;

  beforeAll(async () => {
    chain = await setupTestChain();
    node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), "frontrun-")),
      http: { port: 0 },
      chain: {
        rpcUrl: chain.anvil.rpcUrl,
        deployment: chain.deployment,
        account: chain.accounts[0]!,
        pollIntervalMs: 0,
      },
      routes: [(ctx) => createDatanetRoutes(ctx), (ctx) => createVersionRoutes(ctx)],
    });
    ({ url } = await node.listen());
  });
  afterAll(async () => {
    await chain?.publicClient
      .request({ method: "evm_setAutomine" as never, params: [true] as never })
      .catch(() => {});
    await node?.stop();
    await chain?.stop();
  });

  it("the contributor keeps its contribution; the attacker's copy is refused and left out", async () => {
    const api = createNodeClient({ baseUrl: url });
    const contributor = chain.accounts[6]!;
    const attacker = chain.wallets[9]!;
    const registry = chain.deployment.contracts.datanetRegistry;
    const { datanetId } = await createDatanet(node.ctx.chain!.sdk, {
      metadataURI: "ipfs://frontrun",
      policy: { curated: true, minStake: 0n, licenseId: `0x${"00".repeat(32)}`, refundStakeOnAccept: true },
    });
    const staged = await api.stageUpload({
      datanetId,
      contributor: contributor.address,
      files: [{ name: "own.txt", content: "A paragraph the contributor wrote and wants to be paid for." }],
    });
    const signatures = await signUpload(staged, contributor);

    // The attacker's view: a pending relayed transaction in the mempool (automine off, so it waits there).
    await chain.publicClient.request({ method: "evm_setAutomine" as never, params: [false] as never });
    const submitted = api.submitUpload(staged.id, signatures).then(
      (v) => ({ ok: true as const, v }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    let relayed: PendingTx | undefined;
    for (let i = 0; i < 200 && !relayed; i++) {
      const block = (await chain.publicClient.request({
        method: "eth_getBlockByNumber",
        params: ["pending", true],
      })) as { transactions: PendingTx[] } | null;
      relayed = block?.transactions.find((t) => t.to?.toLowerCase() === registry.toLowerCase());
      if (!relayed) await new Promise((r) => setTimeout(r, 50));
    }
    expect(relayed, "the relayed transaction reaches the mempool").toBeDefined();
    const call = decodeFunctionData({ abi: datanetRegistryAbi, data: relayed!.input });
    expect(call.functionName).toBe("contributeBatchWithSig");
    const [seenDatanet, hashes, sizes, uris] = call.args as unknown as [bigint, Hex[], bigint[], string[]];
    const tip = BigInt(relayed!.maxPriorityFeePerGas ?? "0x3b9aca00") * 10n;
    const attack = await attacker.writeContract({
      address: registry,
      abi: datanetRegistryAbi,
      functionName: "contribute",
      args: [seenDatanet, hashes[0]!, sizes[0]!, uris[0]!],
      maxPriorityFeePerGas: tip,
      maxFeePerGas: BigInt(relayed!.maxFeePerGas ?? "0x0") + tip * 2n,
      gas: 300_000n,
    });
    await chain.publicClient.request({ method: "evm_mine" as never });
    await chain.publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });

    // The attacker's transaction went first (higher tip) and registered its copy.
    const attackReceipt = await chain.publicClient.getTransactionReceipt({ hash: attack });
    const relayedReceipt = await chain.publicClient.waitForTransactionReceipt({ hash: relayed!.hash });
    expect(attackReceipt.status).toBe("success");
    expect(attackReceipt.blockNumber).toBe(relayedReceipt.blockNumber);
    expect(attackReceipt.transactionIndex).toBeLessThan(relayedReceipt.transactionIndex);

    // ... and the contributor still got its contribution.
    const result = await submitted;
    if (!result.ok) throw result.e;
    expect(result.v.status).toBe("completed");
    const ownId = BigInt(result.v.documents[0]!.contributionId as string);
    const sdk = node.ctx.chain!.sdk;
    expect(
      await getContributionIdOf(sdk, {
        datanetId,
        contributor: contributor.address,
        contentHash: hashes[0]!,
      }),
    ).toBe(ownId);
    const copyId = await getContributionIdOf(sdk, {
      datanetId,
      contributor: attacker.account.address,
      contentHash: hashes[0]!,
    });
    expect(copyId).toBeLessThan(ownId);

    // Curation shows the copy as a copy; the node refuses to accept it, and accepts the original.
    while (await node.ctx.chain!.indexer.syncOnce()) {}
    const curation = await api.listCuration(datanetId);
    const byId = new Map(curation.items.map((p) => [p.contributionId, p]));
    expect(byId.get(String(copyId))?.copyOf).toBe(String(ownId));
    expect(byId.get(String(ownId))?.copyOf).toBeNull();
    const refused = await api.review(datanetId, [{ contributionId: copyId, verdict: "accept" }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(TributaryError);
    expect(refused).toMatchObject({ code: "COPY_NOT_ACCEPTABLE", details: { status: 409 } });
    expect((refused as TributaryError).hint).toMatch(/reject/i);
    await api.review(datanetId, [
      { contributionId: ownId, verdict: "accept" },
      { contributionId: copyId, verdict: "reject" },
    ]);
    while (await node.ctx.chain!.indexer.syncOnce()) {}
    const published = await api.publishVersion(datanetId);
    const exported = await api.getVersion(datanetId, published.version);
    expect(exported.count).toBe(1);

    const t0 = performance.now();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});
