import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DeployConfig } from "@tributary/chain";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import type { Pricing } from "@tributary/core";
import {
  approveAndDeposit,
  createNodeClient,
  createTributaryClient,
  mintTokens,
  type TributaryClient,
} from "@tributary/sdk";
import type { Address } from "viem";
import { createNode, type TributaryNode } from "../../createNode.ts";
import { createDatanetRoutes, createVersionRoutes } from "../../datanets/index.ts";
import { createGatewayRoutes } from "../../gateway/createGatewayRoutes.ts";
import { createGatewayService, type GatewayService } from "../../gateway/createGatewayService.ts";
import type { LlamaConfig } from "../../gateway/llama/types.ts";
import type { OutboundConfig } from "../../net/outboundConfig.ts";
import { contributeAndPublish } from "../../testing/contributeAndPublish.ts";
import { eventually } from "../../testing/eventually.ts";
import { type CreateEpochRoutesOptions, createEpochRoutes } from "../createEpochRoutes.ts";

/** Texts of the test datanet: enough overlap with the prompts for attributed continuations. */
export const DOCUMENTS = [
  "The whale rose beside the ship at dawn, and every harpooneer aboard the Pequod stood silent at the rail.",
  "User: Tell me about the whale.\nAssistant: The great white whale swam north past the ice, and the crew of the Pequod followed it for forty days.",
  "Call me Ishmael. Some years ago, having little money in my purse, I thought I would sail about a little and see the watery part of the world.",
];

/** A running node of the paid network. */
export type PaidNode = { node: TributaryNode; url: string; account: Address };

/** A local chain with one or more nodes, a published datanet version, an ∞-gram model and funded payers. */
export type PaidNetwork = {
  chain: TestChain;
  /** nodes[0] closes epochs and serves the gateway; the others only verify and co-sign. */
  nodes: PaidNode[];
  gateway: GatewayService;
  datanetId: bigint;
  contributor: Address;
  model: string;
  /** Payers (anvil accounts 7, 8, 9) with their API keys and SDK clients. */
  payers: { address: Address; key: string; sdk: TributaryClient; index: number }[];
  sdkOf(index: number): TributaryClient;
  chat(key: string, content: string, extra?: Record<string, unknown>): Promise<Response>;
  /** Advances the chain's clock by `seconds` and mines a block. */
  advance(seconds: number): Promise<void>;
  stop(): Promise<void>;
};

/**
 * Sets up a paid network for epoch tests: anvil with Tributary deployed (attestors = the nodes' keys,
 * accounts 3, 4, 5), `nodeCount` nodes with epoch routes (each node's peers = the others), a datanet of
 * {@link DOCUMENTS} contributed by account 6 and published through node 0 (the other nodes index it from node
 * 0's export when they first verify), a registered model and three funded payers.
 */
export async function setupPaidNetwork(
  options: {
    nodeCount?: number;
    quorum?: number;
    deposit?: bigint;
    config?: Partial<DeployConfig>;
    epochOptions?: CreateEpochRoutesOptions;
    /** More peers every node lists (tests: loopback servers playing a peer). */
    extraPeers?: () => readonly string[];
    /** Outbound limits of every node (NodeConfig.outbound). */
    outbound?: OutboundConfig;
    /** The model's price (default 1000 per call + 5000 per 1k output tokens, prompts free). */
    pricing?: Pricing;
    /** Node `n`'s PostgreSQL database (NodeConfig.databaseUrl); SQLite when absent. */
    databaseUrl?: (n: number) => string;
    /** Every node's local llama runtime settings (NodeConfig.llama). */
    llama?: LlamaConfig;
  } = {},
): Promise<PaidNetwork> {
  const nodeCount = options.nodeCount ?? 1;
  const chain = await setupTestChain({
    attestors: [3, 4, 5].slice(0, Math.max(nodeCount, 1)).map((i) => anvilAddress(i)),
    quorum: options.quorum ?? 1,
    challengeWindow: 60n,
    withdrawalDelay: 120n,
    ...options.config,
  });
  const nodes: PaidNode[] = [];
  const urls: (string | undefined)[] = [];
  for (let n = 0; n < nodeCount; n++) {
    const account = chain.accounts[3 + n]!;
    const self = n;
    const node = await createNode({
      dataDir: mkdtempSync(join(tmpdir(), `epochs-${n}-`)),
      ...(options.databaseUrl ? { databaseUrl: options.databaseUrl(n), leaderRetryMs: 200 } : {}),
      http: { port: 0, maxBodyBytes: 16 * 1024 * 1024 },
      ...(options.outbound ? { outbound: options.outbound } : {}),
      ...(options.llama ? { llama: options.llama } : {}),
      chain: { rpcUrl: chain.anvil.rpcUrl, deployment: chain.deployment, account, pollIntervalMs: 100 },
      routes: [
        (ctx) => createDatanetRoutes(ctx),
        (ctx) => createVersionRoutes(ctx),
        (ctx) => createGatewayRoutes(ctx),
        (ctx) =>
          createEpochRoutes(ctx, {
            // Every node lists the others as peers: node 0 asks them to co-sign, and they answer only a peer.
            peers: () => [
              ...urls.filter((u, i): u is string => !!u && i !== self),
              ...(options.extraPeers?.() ?? []),
            ],
            publicUrl: () => urls[self],
            ...options.epochOptions,
          }),
      ],
    });
    const { url } = await node.listen();
    urls[n] = url;
    nodes.push({ node, url, account: account.address });
  }
  // Replicas on PostgreSQL: node 0 must lead its epoch closer before it closes.
  for (const n of nodes) {
    const leaders = n.node.ctx.leaders;
    if (leaders) await eventually(async () => leaders.epochs.isLeader(), Boolean, "epoch leader elected");
  }
  const main = nodes[0]!;
  const api = createNodeClient({ baseUrl: main.url });
  const contributor = chain.accounts[6]!;
  const { datanetId: raw } = await api.createDatanet({
    metadataURI: "ipfs://epochs-card",
    policy: { curated: true, minStake: 0n, license: "CC-BY-4.0" },
  });
  const datanetId = BigInt(raw);
  // The other nodes index the version themselves when they first verify (from node 0's export).
  await contributeAndPublish({ url: main.url, datanetId, contributor, documents: DOCUMENTS });

  const gateway = createGatewayService(main.node.ctx);
  const model = "whale-ig";
  await gateway.registerInfinigramModel({
    datanetId,
    version: 1,
    pricing: options.pricing ?? { perCall: 1000n, per1kOutputTokens: 5000n, per1kInputTokens: 0n },
    split: { ownerBps: 3000, dataBps: 7000 },
    name: model,
  });
  const sdkOf = (i: number) =>
    createTributaryClient({
      publicClient: chain.publicClient as never,
      walletClient: chain.wallets[i] as never,
      addresses: chain.deployment.contracts,
    });
  const owner = sdkOf(0);
  const payers = [];
  for (const index of [7, 8, 9]) {
    const address = chain.accounts[index]!.address;
    await mintTokens(owner, { to: address, amount: 10n ** 18n });
    await approveAndDeposit(sdkOf(index), { amount: options.deposit ?? 1_000_000n });
    payers.push({ address, key: (await gateway.createApiKey(address)).key, sdk: sdkOf(index), index });
  }
  // Every node's indexer must see the contributions before it can verify payouts.
  for (const n of nodes) {
    await eventually(
      () => n.node.db.selectFrom("contributions").select("id").execute(),
      (rows) => rows.length === DOCUMENTS.length,
      "contributions indexed",
    );
  }
  return {
    chain,
    nodes,
    gateway,
    datanetId,
    contributor: contributor.address,
    model,
    payers,
    sdkOf,
    chat: (key, content, extra = {}) =>
      fetch(`${main.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model, messages: [{ role: "user", content }], max_tokens: 24, ...extra }),
      }),
    async advance(seconds) {
      await chain.testClient.increaseTime({ seconds });
      await chain.testClient.mine({ blocks: 1 });
    },
    async stop() {
      for (const n of nodes) await n.node.stop();
      await chain.stop();
    },
  };
}

function anvilAddress(i: number): Address {
  // The public anvil mnemonic's accounts (same as the fixture's `accounts`).
  const addresses = [
    "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
  ] as const;
  return addresses[i] as Address;
}
