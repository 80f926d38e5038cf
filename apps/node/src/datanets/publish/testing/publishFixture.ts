/**
 * Test fixture of the publish, export and version-route tests: anvil with Tributary deployed, a node key
 * (anvil account 5) that datanet owners can make a curator, contributors that register texts whose blobs
 * are put in the node's content store the way the upload service stores them (one blob per normalized text,
 * so its sha-256 is the on-chain content hash).
 */
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { contentHash, normalizeText } from "@tributary/core";
import {
  addCurator,
  contributeBatch,
  createDatanet,
  createTributaryClient,
  licenseIdOf,
  reviewContributions,
  type TributaryClient,
  type Verdict,
} from "@tributary/sdk";
import type { Account, Hex } from "viem";
import { createNode, type TributaryNode } from "../../../createNode.ts";
import { createLocalContentStore } from "../../../store/index.ts";

/** Index of the node's key among the anvil accounts. */
export const NODE_ACCOUNT = 5;
/** Index of the datanet owner (curator) among the anvil accounts. */
export const OWNER_ACCOUNT = 6;

/** What {@link setupPublishFixture} returns. */
export type PublishFixture = {
  chain: TestChain;
  nodeAccount: Account;
  /** An SDK client writing with anvil account `i`. */
  clientFor(i: number): TributaryClient;
  /**
   * Creates a curated datanet owned by account 6; the node key (account `nodeAccountIndex`, default 5) is a
   * curator unless `nodeIsCurator: false`.
   */
  createDatanet(options?: {
    nodeIsCurator?: boolean;
    license?: string;
    nodeAccountIndex?: number;
  }): Promise<bigint>;
  /** Stores the (normalized) texts in the node's store at `dataDir` and registers them from account `who`. */
  contribute(dataDir: string, datanetId: bigint, who: number, texts: string[]): Promise<bigint[]>;
  /** Reviews contributions as the owner. */
  review(datanetId: bigint, reviews: [bigint, Verdict][]): Promise<void>;
  /** A node on `dataDir` connected to the chain with the node key (or account `accountIndex`), no background indexer. */
  startNode(
    dataDir: string,
    options?: { routes?: Parameters<typeof createNode>[0]["routes"]; accountIndex?: number },
  ): Promise<TributaryNode>;
  stop(): Promise<void>;
};

/**
 * Starts anvil, deploys Tributary and returns helpers to build datanets with accepted contributions.
 *
 * @example
 * const f = await setupPublishFixture();
 * const id = await f.createDatanet();
 */
export async function setupPublishFixture(): Promise<PublishFixture> {
  const chain = await setupTestChain();
  const clientFor = (i: number) =>
    createTributaryClient({
      publicClient: chain.publicClient as never,
      walletClient: chain.wallets[i] as never,
      addresses: chain.deployment.contracts,
    });
  const nodeAccount = chain.accounts[NODE_ACCOUNT]!;
  return {
    chain,
    nodeAccount,
    clientFor,
    async createDatanet(options = {}) {
      const owner = clientFor(OWNER_ACCOUNT);
      const { datanetId } = await createDatanet(owner, {
        metadataURI: "ipfs://datanet-meta",
        policy: {
          curated: true,
          minStake: 0n,
          licenseId: licenseIdOf(options.license ?? "CC-BY-4.0"),
          refundStakeOnAccept: true,
        },
      });
      if (options.nodeIsCurator !== false) {
        const curator = chain.accounts[options.nodeAccountIndex ?? NODE_ACCOUNT]!.address;
        await addCurator(owner, { datanetId, curator });
      }
      return datanetId;
    },
    async contribute(dataDir, datanetId, who, texts) {
      const store = createLocalContentStore({ dir: join(dataDir, "content") });
      const hashes: Hex[] = [];
      const sizes: bigint[] = [];
      const uris: string[] = [];
      for (const raw of texts) {
        const text = normalizeText(raw);
        const bytes = new TextEncoder().encode(text);
        const put = await store.put(bytes);
        if (put.sha256 !== contentHash(text)) throw new Error("blob digest differs from the content hash");
        hashes.push(put.sha256);
        sizes.push(BigInt(bytes.length));
        uris.push(`ipfs://${put.cid}`);
      }
      const { contributionIds } = await contributeBatch(clientFor(who), {
        datanetId,
        contentHashes: hashes,
        sizes,
        metadataURIs: uris,
      });
      return contributionIds;
    },
    async review(datanetId, reviews) {
      await reviewContributions(clientFor(OWNER_ACCOUNT), {
        datanetId,
        reviews: reviews.map(([contributionId, verdict]) => ({ contributionId, verdict })),
      });
    },
    startNode: (dataDir, options = {}) =>
      createNode({
        dataDir,
        chain: {
          rpcUrl: chain.anvil.rpcUrl,
          deployment: chain.deployment,
          account: chain.accounts[options.accountIndex ?? NODE_ACCOUNT]!,
          pollIntervalMs: 0,
        },
        ...(options.routes ? { routes: options.routes } : {}),
      }),
    stop: () => chain.stop(),
  };
}

/** Short distinct texts with enough words to be attributed (span-v1 needs 8 content tokens). */
export const sampleTexts = [
  "Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse, I thought I would sail about a little.",
  "The harpooneers stood ready in the whaleboats at dawn while the mate watched the spout far off on the lee bow.",
  "Queequeg was a native of Rokovoko, an island far away to the West and South, not down in any map; true places never are.",
  "It is a way I have of driving off the spleen and regulating the circulation, whenever I find myself growing grim about the mouth.",
  "There now is your insular city of the Manhattoes, belted round by wharves as Indian isles by coral reefs, commerce surrounds it.",
];
