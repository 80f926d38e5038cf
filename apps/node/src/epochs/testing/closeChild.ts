/**
 * Child process of the epoch crash tests: opens a node on a data directory and closes an epoch, so that
 * `TRIBUTARY_FAILPOINT=<step>` can SIGKILL it in the middle. Config as JSON in `TRIBUTARY_TEST_CONFIG`:
 * `{ dataDir, rpcUrl, deployment, accountIndex, peers? }`; with `peers`, the node serves its bundles over HTTP and
 * asks those peers to co-sign. Prints the epoch view as JSON when it survives.
 *
 *   node --import tsx closeChild.ts
 */
import type { Deployment } from "@tributary/chain";
import { mnemonicToAccount } from "viem/accounts";
import { createNode } from "../../createNode.ts";
import { createEpochRoutes } from "../createEpochRoutes.ts";
import { createEpochService } from "../createEpochService.ts";
import { toEpochView } from "../epochRecords.ts";

type ChildConfig = {
  dataDir: string;
  rpcUrl: string;
  deployment: Deployment;
  accountIndex: number;
  peers?: string[];
  /** Port to listen on with `peers` (the peers co-sign only for the URL they know; default any free port). */
  port?: number;
};

const config = JSON.parse(process.env.TRIBUTARY_TEST_CONFIG ?? "{}") as ChildConfig;
const node = await createNode({
  dataDir: config.dataDir,
  chain: {
    rpcUrl: config.rpcUrl,
    deployment: config.deployment,
    // The public anvil test mnemonic: this script only ever runs against a local test chain.
    account: mnemonicToAccount("test test test test test test test test test test test junk", {
      addressIndex: config.accountIndex,
    }),
    pollIntervalMs: 0,
  },
  ...(config.peers ? { http: { port: config.port ?? 0 }, routes: [(ctx) => createEpochRoutes(ctx)] } : {}),
});
try {
  const publicUrl = config.peers ? (await node.listen()).url : undefined;
  const service = createEpochService(node.ctx, {
    ...(config.peers ? { peers: config.peers } : {}),
    ...(publicUrl ? { publicUrl } : {}),
  });
  const row = await service.close();
  process.stdout.write(`${JSON.stringify(toEpochView(row))}\n`);
} finally {
  await node.stop();
}
