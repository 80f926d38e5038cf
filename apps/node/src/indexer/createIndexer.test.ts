import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { datanetRegistryAbi } from "@tributary/abi";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { type Address, type Hex, keccak256, toHex } from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDatabase, type NodeDatabase } from "../db/index.ts";
import { createIndexer, datanetHandlers, type Indexer } from "./index.ts";

const policy = {
  curated: true,
  minStake: 0n,
  licenseId: toHex("CC-BY-4.0", { size: 32 }),
  refundStakeOnAccept: true,
};
const hashOf = (s: string) => keccak256(toHex(s));

describe("indexer (DatanetRegistry on anvil)", () => {
  let chain: TestChain;
  let snap: Hex;
  let registry: Address;
  let node: NodeDatabase;
  let dbPath: string;

  const write = async (i: number, functionName: string, args: readonly unknown[]) => {
    const hash = await chain.wallets[i]!.writeContract({
      address: registry,
      abi: datanetRegistryAbi,
      functionName,
      args,
    } as never);
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe("success");
  };
  const indexer = (handlers = datanetHandlers): Indexer =>
    createIndexer({
      db: node.db,
      client: chain.publicClient as never,
      contracts: [{ name: "DatanetRegistry", address: registry, abi: datanetRegistryAbi }],
      startBlock: chain.deployment.startBlock,
      confirmations: 0,
      handlers,
      batchBlocks: 3,
    });
  const catchUp = async (ix: Indexer) => {
    for (let i = 0; i < 100; i++) {
      const r = await ix.syncOnce();
      if (!r) return;
    }
  };
  const contributions = () => node.db.selectFrom("contributions").selectAll().orderBy("id").execute();

  beforeAll(async () => {
    chain = await setupTestChain();
    registry = chain.deployment.contracts.datanetRegistry;
  });
  afterAll(() => chain?.stop());
  beforeEach(async () => {
    snap = await chain.snapshot();
    dbPath = join(mkdtempSync(join(tmpdir(), "idx-")), "node.db");
    node = await createDatabase({ path: dbPath });
  });
  afterEach(async () => {
    await node.close();
    await chain.revert(snap);
  });

  it("projects datanets, contributions, reviews, versions and payout addresses", async () => {
    const [alice, bob] = [chain.roles.users[0]!, chain.roles.users[1]!];
    await write(0, "createDatanet", ["ipfs://meta", policy]);
    await write(6, "contribute", [1n, hashOf("a"), 10n, "ipfs://a"]);
    await write(7, "contribute", [1n, hashOf("b"), 20n, "ipfs://b"]);
    await write(6, "contribute", [1n, hashOf("c"), 30n, "ipfs://c"]);
    await write(0, "review", [1n, [1n, 2n], [0, 1]]);
    await write(6, "withdrawContribution", [3n]);
    await write(0, "publishVersion", [1n, hashOf("root"), 1n, "ipfs://manifest"]);
    await write(7, "setPayoutAddress", [chain.roles.users[3]!]);
    await catchUp(indexer());

    const dn = await node.db.selectFrom("datanets").selectAll().executeTakeFirstOrThrow();
    expect(dn).toMatchObject({
      id: 1,
      owner: chain.roles.owner.toLowerCase(),
      metadata_uri: "ipfs://meta",
      curated: 1,
      version_count: 1,
    });
    const rows = await contributions();
    expect(rows.map((r) => [r.id, r.contributor, r.status, r.size])).toEqual([
      [1, alice.toLowerCase(), "Accepted", 10],
      [2, bob.toLowerCase(), "Rejected", 20],
      [3, alice.toLowerCase(), "Withdrawn", 30],
    ]);
    expect(rows[0]!.content_hash).toBe(hashOf("a"));
    const v = await node.db.selectFrom("versions").selectAll().executeTakeFirstOrThrow();
    expect(v).toMatchObject({
      datanet_id: 1,
      version: 1,
      contributions_root: hashOf("root"),
      count: 1,
      manifest_uri: "ipfs://manifest",
    });
    const payout = await node.db.selectFrom("payout_addresses").selectAll().executeTakeFirstOrThrow();
    expect(payout).toEqual({ contributor: bob.toLowerCase(), payout: chain.roles.users[3]!.toLowerCase() });
  });

  it("a restart (new indexer, reopened database) neither loses nor duplicates rows", async () => {
    await write(0, "createDatanet", ["m", policy]);
    for (let i = 0; i < 5; i++) await write(6, "contribute", [1n, hashOf(`d${i}`), 1n, ""]);
    const first = indexer();
    await first.syncOnce(); // part of the way only (batches of 3 blocks)
    await node.close();
    node = await createDatabase({ path: dbPath });
    for (let i = 5; i < 8; i++) await write(6, "contribute", [1n, hashOf(`d${i}`), 1n, ""]);
    await catchUp(indexer());
    expect((await contributions()).map((r) => r.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const stored = await node.db
      .selectFrom("chain_logs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    const onChain = await chain.publicClient.getLogs({ address: registry, fromBlock: 0n, toBlock: "latest" });
    expect(Number(stored.n)).toBe(onChain.length);
  });

  it("a crash inside a batch rolls the whole batch back; the retry applies it exactly once", async () => {
    await write(0, "createDatanet", ["m", policy]);
    await write(6, "contribute", [1n, hashOf("x"), 1n, ""]);
    await write(6, "contribute", [1n, hashOf("y"), 1n, ""]);
    let fail = true;
    const crashing = {
      ...datanetHandlers,
      ContributionRegistered: async (
        ...a: Parameters<(typeof datanetHandlers)["ContributionRegistered"] & object>
      ) => {
        await datanetHandlers.ContributionRegistered!(...a);
        if (fail) throw new Error("simulated crash");
      },
    };
    const ix = indexer(crashing);
    await expect(catchUp(ix)).rejects.toThrow("simulated crash");
    expect(await contributions()).toEqual([]);
    expect(await ix.cursor()).toBeLessThan(Number(await chain.publicClient.getBlockNumber()));
    fail = false;
    await catchUp(ix);
    expect((await contributions()).map((r) => r.id)).toEqual([1, 2]);
  });

  it("rolls back a reorg and rebuilds projections from the surviving chain", async () => {
    await write(0, "createDatanet", ["m", policy]);
    await write(6, "contribute", [1n, hashOf("kept"), 1n, ""]);
    const ix = indexer();
    await catchUp(ix);
    const fork = await chain.snapshot();
    await write(6, "contribute", [1n, hashOf("orphaned-1"), 1n, ""]);
    await write(0, "review", [1n, [1n], [0]]);
    await catchUp(ix);
    expect((await contributions()).map((r) => [r.id, r.status])).toEqual([
      [1, "Accepted"],
      [2, "Pending"],
    ]);
    // The chain reorganizes: the two blocks above are replaced by different ones.
    await chain.revert(fork);
    await write(7, "contribute", [1n, hashOf("other-branch"), 2n, ""]);
    await chain.testClient.mine({ blocks: 3 });
    await catchUp(ix);
    const rows = await contributions();
    expect(rows.map((r) => [r.id, r.status, r.contributor])).toEqual([
      [1, "Pending", chain.roles.users[0]!.toLowerCase()],
      [2, "Pending", chain.roles.users[1]!.toLowerCase()],
    ]);
    expect(rows[1]!.content_hash).toBe(hashOf("other-branch"));
  });

  it("waits for confirmations before indexing a block", async () => {
    await write(0, "createDatanet", ["m", policy]);
    const ix = createIndexer({
      db: node.db,
      client: chain.publicClient as never,
      contracts: [{ name: "DatanetRegistry", address: registry, abi: datanetRegistryAbi }],
      startBlock: chain.deployment.startBlock,
      confirmations: 5,
      handlers: datanetHandlers,
    });
    await catchUp(ix);
    expect(await node.db.selectFrom("datanets").selectAll().execute()).toEqual([]);
    await chain.testClient.mine({ blocks: 5 });
    await catchUp(ix);
    expect((await node.db.selectFrom("datanets").selectAll().execute()).length).toBe(1);
  });
});
