/**
 * Child process of the crash tests: opens a node on a data directory and publishes one version, so that
 * `TRIBUTARY_FAILPOINT=<step>` can SIGKILL it in the middle. Config comes as JSON in `TRIBUTARY_TEST_CONFIG`:
 * `{ dataDir, rpcUrl, deployment, accountIndex, datanetId }`. Prints the publication as JSON when it survives.
 *
 *   node --import tsx publishChild.ts
 */
import type { Deployment } from "@tributary/chain";
import { mnemonicToAccount } from "viem/accounts";
import { createNode } from "../../../createNode.ts";
import { createPublishService } from "../createPublishService.ts";

type ChildConfig = {
  dataDir: string;
  rpcUrl: string;
  deployment: Deployment;
  accountIndex: number;
  datanetId: string;
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
});
try {
  const published = await createPublishService(node.ctx).publishVersion(BigInt(config.datanetId));
  process.stdout.write(`${JSON.stringify({ ...published, datanetId: published.datanetId.toString() })}\n`);
} finally {
  await node.stop();
}
