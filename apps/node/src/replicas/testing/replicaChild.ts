/**
 * One node replica in a child process, for the replica tests and `bench/gateway.ts --replicas`: a node on the
 * shared PostgreSQL database and data directory, with the datanet, gateway and epoch routes, listening on
 * loopback. Config as JSON in `TRIBUTARY_TEST_CONFIG`: `{ dataDir, databaseUrl, rpcUrl, deployment, accountIndex,
 * leaderRetryMs? }`. Prints `{"url": …}` once listening; stops cleanly on SIGTERM (SIGKILL is the crash tests').
 *
 *   node --import tsx replicaChild.ts
 */
import type { Deployment } from "@tributary/chain";
import { mnemonicToAccount } from "viem/accounts";
import { createNode } from "../../createNode.ts";
import { createDatanetRoutes, createVersionRoutes } from "../../datanets/index.ts";
import { createEpochRoutes } from "../../epochs/createEpochRoutes.ts";
import { createGatewayRoutes } from "../../gateway/createGatewayRoutes.ts";

type ReplicaConfig = {
  dataDir: string;
  databaseUrl: string;
  rpcUrl: string;
  deployment: Deployment;
  accountIndex: number;
  leaderRetryMs?: number;
};

const config = JSON.parse(process.env.TRIBUTARY_TEST_CONFIG ?? "{}") as ReplicaConfig;
const node = await createNode({
  dataDir: config.dataDir,
  databaseUrl: config.databaseUrl,
  leaderRetryMs: config.leaderRetryMs ?? 200,
  http: { port: 0, clientRateLimitPerMinute: 0 },
  gateway: { rateLimitPerMinute: 0 },
  chain: {
    rpcUrl: config.rpcUrl,
    deployment: config.deployment,
    // The public anvil test mnemonic: this script only ever runs against a local test chain.
    account: mnemonicToAccount("test test test test test test test test test test test junk", {
      addressIndex: config.accountIndex,
    }),
    pollIntervalMs: 100,
  },
  routes: [
    (ctx) => createDatanetRoutes(ctx),
    (ctx) => createVersionRoutes(ctx),
    (ctx) => createGatewayRoutes(ctx),
    (ctx) => createEpochRoutes(ctx),
  ],
});
const { url } = await node.listen();
process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);
process.once("SIGTERM", () => {
  void node.stop().then(() => process.exit(0));
});
