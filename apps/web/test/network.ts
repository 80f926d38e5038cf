import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import {
  createAgentRoutes,
  createDatanetRoutes,
  createGatewayRoutes,
  createGatewayService,
  createNode,
  createVersionRoutes,
  createWebRoutes,
  type NodeContext,
  type TributaryNode,
} from "@tributary/node";
import { contributeAndPublish } from "@tributary/node/testing";
import { approveAndDeposit, createNodeClient, createTributaryClient, mintTokens } from "@tributary/sdk";
import type { Hono } from "hono";
import type { LocalAccount } from "viem";
import { distDir } from "./browser.ts";

/** The texts every browser test contributes. */
export const TEXTS = {
  whale:
    "The whale rose beside the ship at dawn, and every harpooneer aboard the Pequod stood silent at the rail.",
  chat: "User: Tell me about the whale.\nAssistant: The great white whale swam north past the ice, and the crew of the Pequod followed it for forty days.",
};

/** A local network for browser tests: anvil with Tributary deployed, and a node serving the API and the web app. */
export async function startNetwork(params: {
  operatorToken?: string;
  extraRoutes?: ((ctx: NodeContext) => Hono)[];
  chain?: Parameters<typeof setupTestChain>[0];
}): Promise<{ chain: TestChain; node: TributaryNode; url: string; stop: () => Promise<void> }> {
  const chain = await setupTestChain(params.chain);
  const node = await createNode({
    dataDir: mkdtempSync(join(tmpdir(), "web-e2e-")),
    http: { port: 0, maxBodyBytes: 16 * 1024 * 1024 },
    chain: {
      rpcUrl: chain.anvil.rpcUrl,
      deployment: chain.deployment,
      account: chain.accounts[0]!,
      pollIntervalMs: 100,
    },
    ...(params.operatorToken ? { operatorToken: params.operatorToken } : {}),
    routes: [
      (ctx) => createDatanetRoutes(ctx),
      (ctx) => createVersionRoutes(ctx),
      (ctx) => createGatewayRoutes(ctx),
      (ctx) => createAgentRoutes(ctx),
      ...(params.extraRoutes ?? []),
      () => createWebRoutes({ distDir }), // last: it answers every other GET
    ],
  });
  const { url } = await node.listen();
  return {
    chain,
    node,
    url,
    async stop() {
      await node.stop();
      await chain.stop();
    },
  };
}

/**
 * Through the API (no browser): a datanet with the two texts accepted and published as version 1.
 *
 * @returns the datanet id
 */
export async function publishDatanet(
  url: string,
  contributor: LocalAccount,
  operatorToken?: string,
): Promise<bigint> {
  const api = createNodeClient({ baseUrl: url, ...(operatorToken ? { operatorToken } : {}) });
  const { datanetId: raw } = await api.createDatanet({
    metadataURI: "ipfs://whaling",
    policy: { curated: true, minStake: 0n, license: "CC-BY-4.0" },
  });
  const datanetId = BigInt(raw);
  await contributeAndPublish({
    url,
    datanetId,
    contributor,
    documents: [
      { name: "whale.txt", content: TEXTS.whale },
      { name: "chat.txt", content: TEXTS.chat },
    ],
    ...(operatorToken ? { operatorToken } : {}),
  });
  return datanetId;
}

/**
 * What the web app does not do itself: register the ∞-gram model on a version (node key), give a payer
 * tokens and a deposit, and create its API key.
 *
 * @returns the payer's API key
 */
export async function serveModel(
  net: { chain: TestChain; node: TributaryNode },
  params: { datanetId: bigint; payerIndex: number; name: string },
): Promise<string> {
  const { chain, node } = net;
  const gateway = createGatewayService(node.ctx);
  await gateway.registerInfinigramModel({
    datanetId: params.datanetId,
    version: 1,
    pricing: { perCall: 1000n, per1kOutputTokens: 5000n, per1kInputTokens: 0n },
    split: { ownerBps: 3000, dataBps: 7000 },
    name: params.name,
  });
  const payer = chain.accounts[params.payerIndex]!;
  await mintTokens(node.ctx.chain!.sdk, { to: payer.address, amount: 10n ** 18n });
  await approveAndDeposit(
    createTributaryClient({
      publicClient: chain.publicClient as never,
      walletClient: chain.wallets[params.payerIndex] as never,
      addresses: chain.deployment.contracts,
    }),
    { amount: 1_000_000n },
  );
  return (await gateway.createApiKey(payer.address)).key;
}
