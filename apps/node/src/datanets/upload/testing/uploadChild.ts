/**
 * Child process of the upload crash tests: opens a node on a data directory, stages an upload as the contributor
 * (anvil account 6), signs it and submits it, so that `TRIBUTARY_FAILPOINT=upload:<step>` can SIGKILL it in the
 * middle. Config comes as JSON in `TRIBUTARY_TEST_CONFIG`: `{ dataDir, rpcUrl, deployment, datanetId, texts,
 * batchSize }`. Prints the upload as JSON when it survives.
 *
 *   node --import tsx uploadChild.ts
 */
import type { Deployment } from "@tributary/chain";
import { mnemonicToAccount } from "viem/accounts";
import { createNode } from "../../../createNode.ts";
import { createUploadService } from "../createUploadService.ts";

type ChildConfig = {
  dataDir: string;
  rpcUrl: string;
  deployment: Deployment;
  datanetId: string;
  texts: string[];
  batchSize: number;
};

// The public anvil test mnemonic: this script only ever runs against a local test chain.
const mnemonic = "test test test test test test test test test test test junk";
const config = JSON.parse(process.env.TRIBUTARY_TEST_CONFIG ?? "{}") as ChildConfig;
const node = await createNode({
  dataDir: config.dataDir,
  chain: {
    rpcUrl: config.rpcUrl,
    deployment: config.deployment,
    account: mnemonicToAccount(mnemonic, { addressIndex: 0 }),
    pollIntervalMs: 0,
  },
});
try {
  const contributor = mnemonicToAccount(mnemonic, { addressIndex: 6 });
  const uploads = createUploadService(node.ctx, { batchSize: config.batchSize });
  const staged = await uploads.stageUpload({
    datanetId: BigInt(config.datanetId),
    contributor: contributor.address,
    files: config.texts.map((t, i) => ({ name: `doc-${i}.txt`, bytes: new TextEncoder().encode(t) })),
  });
  const signatures = await Promise.all(
    (staged.signing?.batches ?? []).map((b) => contributor.signTypedData(b.typedData)),
  );
  const done = await uploads.submitUpload({ uploadId: staged.id, signatures });
  process.stdout.write(`${JSON.stringify({ id: done.id, status: done.status })}\n`);
} finally {
  await node.stop();
}
