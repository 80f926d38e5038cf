import { chmodSync, mkdirSync, readFileSync, statSync } from "node:fs";
import type { Server as NetServer } from "node:net";
import { join, resolve } from "node:path";
import { isMainThread } from "node:worker_threads";
import { serve } from "@hono/node-server";
import { agentRegistryAbi, datanetRegistryAbi, modelRegistryAbi, settlementAbi } from "@tributary/abi";
import type { Deployment } from "@tributary/chain";
import { type AttributionIndex, createTokenizer } from "@tributary/core";
import { createTributaryClient, getTokenMetadata } from "@tributary/sdk";
import type { Hono } from "hono";
import { sql } from "kysely";
import {
  type Account,
  type Chain,
  createPublicClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  type Transport,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { createApp, type Readiness } from "./api/createApp.ts";
import { createJsonLogger } from "./api/logger.ts";
import { createMetrics, type Metrics } from "./api/metrics.ts";
import { createAttributionRoutes } from "./attribution/createAttributionRoutes.ts";
import { createIndexFileStore, type IndexFileStore } from "./attribution/createIndexFileStore.ts";
import type { ChainContext, GatewayConfig, Logger, NodeContext } from "./context/NodeContext.ts";
import { createDatabase, type NodeDatabase } from "./db/index.ts";
import { createLlamaRuntime } from "./gateway/llama/createLlamaRuntime.ts";
import type { LlamaConfig } from "./gateway/llama/types.ts";
import { createIndexer, datanetHandlers, modelHandlers, settlementHandlers } from "./indexer/index.ts";
import type { OutboundConfig } from "./net/outboundConfig.ts";
import { lockIndexerWrites } from "./replicas/advisoryLocks.ts";
import { createLeaderElection, type Leadership } from "./replicas/createLeaderElection.ts";
import { createSecretBox } from "./secrets/createSecretBox.ts";
import { createLocalContentStore } from "./store/index.ts";

/** Configuration of a node. Validated at the edge (CLI flags, config file) before it gets here. */
export type NodeConfig = {
  /**
   * Folder for the database, content store and index files. Replicas sharing a PostgreSQL database share this
   * folder too (content store, index files, bundles, secrets key; docs/replicas.md).
   */
  dataDir: string;
  /**
   * `postgres://…`: run on PostgreSQL instead of `<dataDir>/node.db` (SQLite). Several replicas may share it:
   * credit holds and receipts go through the database, and one replica leads the indexer and the epoch closer.
   */
  databaseUrl?: string;
  /** Replicas on PostgreSQL: how often a follower tries to become the leader (default 2 s). */
  leaderRetryMs?: number;
  http?: {
    host?: string;
    port?: number;
    /** Largest body of a route without a limit of its own (the JSON routes), in bytes (default 64 KiB). */
    maxBodyBytes?: number;
    /** Body limits by route (`{ "POST /v1/chat/completions": 4 << 20 }`), over what the routes declare. */
    routeBodyLimits?: Record<string, number>;
    /**
     * Requests per minute per client address on the costly public routes (relayed claims, finalize,
     * verify, co-sign, attribution, uploads; see `COSTLY_PUBLIC_ROUTES`); 0 = none. Default 60.
     */
    clientRateLimitPerMinute?: number;
    /** Reverse proxies whose `X-Forwarded-For` is trusted for the client address (default 0). */
    trustProxyHops?: number;
    /** A client must send its request headers within this time (slow-header attacks); default 15 s. */
    headersTimeoutMs?: number;
    /** A client must send its whole request (headers and body) within this time; default 120 s. */
    requestTimeoutMs?: number;
    /** An idle keep-alive connection is closed after this time; default 5 s. */
    keepAliveTimeoutMs?: number;
    /** Open connections at most; more are refused at accept (default 1,024). */
    maxConnections?: number;
  };
  /** How many decoded attribution indexes to keep in memory. */
  indexCacheSize?: number;
  /** Chain connection; without it the node serves only chain-free routes (attribution audits). */
  chain?: {
    rpcUrl: string;
    deployment: Deployment;
    /** The node's key (relayer, publisher, attestor). */
    account: Account;
    /**
     * The account's private key, when it is a local key the operator hands over: the gateway's receipt writer
     * then signs receipts on its own thread instead of the event loop (an HD account's key is found without
     * it). Must be `account`'s key.
     */
    privateKey?: Hex;
    chain?: Chain;
    /** Blocks behind head treated as final (0 on a local chain). */
    confirmations?: number;
    /** Indexer poll interval; 0 disables the background loop (tests call `indexer.syncOnce`). */
    pollIntervalMs?: number;
  };
  /** Extra route factories that receive the node context (datanets, gateway, ... as they land). */
  routes?: ((ctx: NodeContext) => Hono)[];
  /** Log sink (default: JSON lines on stderr, errors only; e.g. `createJsonLogger({ level: "info" })`). */
  log?: Logger;
  /** Metrics registry (default: a new one), served at `GET /metrics` and given to services as `ctx.metrics`. */
  metrics?: Metrics;
  /** Readiness (`GET /health/ready`): the indexer may be this many blocks behind the head (default 64). */
  health?: { maxIndexerLagBlocks?: number };
  /** Secret that operator routes require (`Authorization: Bearer <token>`); none = open (tests, loopback). */
  operatorToken?: string;
  /** Gateway settings (apps/node/src/gateway). */
  gateway?: GatewayConfig;
  /** Limits of outbound requests (apps/node/src/net/outboundConfig.ts); defaults apply when absent. */
  outbound?: OutboundConfig;
  /** The local llama runtime's threads, context budget and queue (docs/serving-adapters.md). */
  llama?: LlamaConfig;
};

/** The version of @tributary/node (its package.json). */
export const NODE_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

type ChainStatus = { head?: number; indexedBlock: number; lagBlocks?: number; error?: string };

/** Reads the chain head (2 s timeout) and the indexer's cursor; the lag counts blocks past `confirmations`. */
function chainStatusOf(chain: ChainContext | undefined, confirmations: number): () => Promise<ChainStatus> {
  return async () => {
    if (!chain) return { indexedBlock: -1 };
    const indexedBlock = await chain.indexer.cursor();
    try {
      const head = Number(
        await Promise.race([
          chain.publicClient.getBlockNumber({ cacheTime: 0 }),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("timed out after 2 s")), 2000).unref(),
          ),
        ]),
      );
      return { head, indexedBlock, lagBlocks: Math.max(0, head - confirmations - indexedBlock) };
    } catch (e) {
      return { indexedBlock, error: `chain RPC: ${(e as Error).message.split("\n")[0]}` };
    }
  };
}

function registerIndexerMetrics(metrics: Metrics, status: () => Promise<ChainStatus>): void {
  const head = metrics.gauge(
    "tributary_chain_head_block",
    "Latest block of the chain RPC (-1 when unreachable).",
  );
  const indexed = metrics.gauge(
    "tributary_indexer_block",
    "Last block the indexer has applied (-1 before the first sync).",
  );
  const lag = metrics.gauge(
    "tributary_indexer_lag_blocks",
    "Blocks the indexer is behind the head, past the confirmations it waits for (-1 when unknown).",
  );
  const up = metrics.gauge(
    "tributary_chain_rpc_up",
    "1 when the chain RPC answered the last scrape, else 0.",
  );
  metrics.onCollect(async () => {
    const s = await status();
    head.set(s.head ?? -1);
    indexed.set(s.indexedBlock);
    lag.set(s.lagBlocks ?? -1);
    up.set(s.head === undefined ? 0 : 1);
  });
}

/** A running (or ready to run) node. */
export type TributaryNode = {
  app: Hono;
  ctx: NodeContext;
  db: NodeDatabase["db"];
  indexes: IndexFileStore;
  /** Records the index file serving a datanet version (written by the publish step). */
  setVersionIndex(datanetId: bigint, version: number, index: AttributionIndex): Promise<{ indexId: string }>;
  /** Serves the HTTP API; resolves with the URL once listening. */
  listen(): Promise<{ url: string }>;
  stop(): Promise<void>;
};

/**
 * Builds a node from its config: database (migrated, secrets sealed), index store, HTTP app with every route.
 * Sets the process umask to 077 and the data directory to 0700: nothing it writes is readable by others.
 *
 * @example
 * const node = await createNode({ dataDir: ".tributary/node", http: { port: 8787 } });
 * const { url } = await node.listen();
 */
export async function createNode(config: NodeConfig): Promise<TributaryNode> {
  const dataDir = resolve(config.dataDir);
  // Every file the node creates (database, WAL, keys, content, indexes, staging, bundles) is the operator's
  // only: umask 077 for the process (worker threads cannot set it; they inherit it), explicit modes below.
  if (isMainThread) process.umask(0o077);
  // The data directory holds the database, the secrets key and the content store: owner only (0700).
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if ((statSync(dataDir).mode & 0o077) !== 0) chmodSync(dataDir, 0o700);
  const secrets = createSecretBox({ dataDir });
  const database = await createDatabase({
    path: join(dataDir, "node.db"),
    ...(config.databaseUrl ? { url: config.databaseUrl } : {}),
    secrets,
  });
  const db = database.db;
  const indexes = createIndexFileStore({ dir: join(dataDir, "indexes") });
  const store = createLocalContentStore({ dir: join(dataDir, "content") });
  const log: Logger = config.log ?? createJsonLogger({ level: "error" });
  const metrics = config.metrics ?? createMetrics();
  let chainCtx: ChainContext | undefined;
  let leaders: { indexer: Leadership; epochs: Leadership } | undefined;
  if (config.chain) {
    const c = config.chain;
    const chain =
      c.chain ??
      ({ ...foundry, id: c.deployment.chainId, rpcUrls: { default: { http: [c.rpcUrl] } } } as Chain);
    const transport = http(c.rpcUrl);
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 100 }) as PublicClient<
      Transport,
      Chain
    >;
    if (c.privateKey && privateKeyToAccount(c.privateKey).address !== c.account.address) {
      throw new Error(
        `chain.privateKey is not the key of chain.account (${c.account.address}); pass the account's own key, or none`,
      );
    }
    const walletClient = createWalletClient({ chain, transport, account: c.account });
    const addresses = c.deployment.contracts;
    const indexer = createIndexer({
      db: database.db,
      client: publicClient as never,
      contracts: [
        { name: "DatanetRegistry", address: addresses.datanetRegistry, abi: datanetRegistryAbi },
        { name: "ModelRegistry", address: addresses.modelRegistry, abi: modelRegistryAbi },
        { name: "AgentRegistry", address: addresses.agentRegistry, abi: agentRegistryAbi },
        { name: "Settlement", address: addresses.settlement, abi: settlementAbi },
      ],
      startBlock: c.deployment.startBlock,
      confirmations: c.confirmations ?? 0,
      handlers: { ...datanetHandlers, ...settlementHandlers, ...modelHandlers },
      onLog: (line) => log("info", line),
      ...(database.dialect === "postgres" ? { lockWrites: lockIndexerWrites } : {}),
    });
    chainCtx = {
      chainId: c.deployment.chainId,
      deployment: c.deployment,
      publicClient,
      walletClient,
      sdk: createTributaryClient({
        publicClient: publicClient as never,
        walletClient: walletClient as never,
        addresses,
      }),
      indexer,
      ...(c.privateKey ? { privateKey: c.privateKey } : {}),
    };
    // An upgraded node whose logs predate the `model_terms` projection (migration 009) fills it from them.
    const [terms, registered] = await Promise.all([
      db.selectFrom("model_terms").select("model_id").limit(1).executeTakeFirst(),
      db
        .selectFrom("chain_logs")
        .select("block_number")
        .where("event_name", "=", "ModelRegistered")
        .limit(1)
        .executeTakeFirst(),
    ]);
    if (!terms && registered) await indexer.rebuildProjections();
    const pollMs = c.pollIntervalMs ?? 500;
    if (database.url) {
      // Replicas: only the indexer's leader polls the chain; a follower takes over when its session dies.
      const retryMs = config.leaderRetryMs ?? 2000;
      const leaderLog = (level: "info" | "warn", message: string) => log(level, message);
      leaders = {
        indexer: createLeaderElection({
          url: database.url,
          role: "indexer",
          retryMs,
          log: leaderLog,
          onElected: () => {
            if (pollMs > 0) indexer.start(pollMs);
          },
          onDeposed: () => void indexer.stop(),
        }),
        epochs: createLeaderElection({ url: database.url, role: "epochs", retryMs, log: leaderLog }),
      };
    } else if (pollMs > 0) indexer.start(pollMs);
  }
  const ctx: NodeContext = {
    dataDir,
    db: database.db,
    dialect: database.dialect,
    ...(leaders ? { leaders } : {}),
    store,
    indexes,
    tokenizer: createTokenizer(),
    ...(chainCtx ? { chain: chainCtx } : {}),
    log,
    metrics,
    ...(config.operatorToken ? { operatorToken: config.operatorToken } : {}),
    secrets,
    payerChargesChanged: new Set(),
    ...(config.gateway ? { gateway: config.gateway } : {}),
    ...(config.outbound ? { outbound: config.outbound } : {}),
    llama: createLlamaRuntime(config.llama),
  };
  const cacheSize = config.indexCacheSize ?? 8;
  const cache = new Map<string, AttributionIndex>();

  const loadIndex = async (datanetId: bigint, version: number) => {
    if (datanetId > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    const row = await db
      .selectFrom("version_indexes")
      .select("index_id")
      .where("datanet_id", "=", Number(datanetId))
      .where("version", "=", version)
      .executeTakeFirst();
    if (!row) return undefined;
    const hit = cache.get(row.index_id);
    if (hit) {
      cache.delete(row.index_id); // refresh LRU position
      cache.set(row.index_id, hit);
      return hit;
    }
    const index = await indexes.read(row.index_id);
    if (!index) return undefined;
    cache.set(row.index_id, index);
    while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
    return index;
  };

  const chainStatus = chainStatusOf(chainCtx, config.chain?.confirmations ?? 0);
  if (chainCtx) registerIndexerMetrics(metrics, chainStatus);
  const maxLag = config.health?.maxIndexerLagBlocks ?? 64;
  const ready = async (): Promise<Readiness> => {
    const checks: Readiness["checks"] = {};
    try {
      await sql`select 1`.execute(db);
      checks.database = { ok: true };
    } catch (e) {
      checks.database = { ok: false, error: (e as Error).message };
    }
    if (chainCtx) {
      const status = await chainStatus();
      checks.chain = {
        ok: status.head !== undefined,
        chainId: chainCtx.chainId,
        ...(status.head === undefined ? { error: status.error ?? "no answer" } : { head: status.head }),
      };
      const lag = status.head === undefined ? undefined : status.lagBlocks;
      checks.indexer = {
        ok: lag !== undefined && lag <= maxLag,
        indexedBlock: status.indexedBlock,
        ...(status.head === undefined ? {} : { head: status.head }),
        ...(lag === undefined ? {} : { lagBlocks: lag }),
        maxLagBlocks: maxLag,
        ...(lag !== undefined && lag > maxLag
          ? { error: `the indexer is ${lag} blocks behind the head` }
          : {}),
      };
    }
    if (leaders) {
      // Replicas on PostgreSQL: which one polls the chain and which closes epochs (POST /v1/epochs/close goes there).
      checks.replica = {
        ok: true,
        indexerLeader: leaders.indexer.isLeader(),
        epochLeader: leaders.epochs.isLeader(),
      };
    }
    return { ok: Object.values(checks).every((c) => c.ok), checks };
  };

  // The payment token's symbol and decimals, read once from its contract (again after a failed read), so
  // clients show amounts as "0.00116 TRIB" rather than base units.
  let token: Promise<{ address: string; symbol: string; decimals: number }> | undefined;
  const health = async (): Promise<Record<string, unknown>> => {
    if (!chainCtx) return {};
    const sdk = chainCtx.sdk;
    token ??= getTokenMetadata(sdk).then(({ symbol, decimals }) => ({
      address: sdk.addresses.token,
      symbol,
      decimals,
    }));
    try {
      return {
        chainId: chainCtx.chainId,
        settlement: sdk.addresses.settlement,
        token: await token,
      };
    } catch {
      token = undefined;
      return { chainId: chainCtx.chainId, settlement: sdk.addresses.settlement };
    }
  };

  const app = createApp({
    health,
    ...(config.http?.maxBodyBytes ? { maxBodyBytes: config.http.maxBodyBytes } : {}),
    ...(config.http?.routeBodyLimits ? { routeBodyLimits: config.http.routeBodyLimits } : {}),
    version: NODE_VERSION,
    metrics,
    log,
    ready,
    clientRateLimit: {
      perMinute: config.http?.clientRateLimitPerMinute ?? 60,
      trustProxyHops: config.http?.trustProxyHops ?? 0,
    },
    routes: [createAttributionRoutes({ loadIndex }), ...(config.routes ?? []).map((make) => make(ctx))],
  });

  let server: ReturnType<typeof serve> | undefined;
  return {
    app,
    ctx,
    db,
    indexes,
    async setVersionIndex(datanetId, version, index) {
      const { id } = await indexes.write(index);
      await db
        .insertInto("version_indexes")
        .values({
          datanet_id: Number(datanetId),
          version,
          index_id: id,
          tokens: index.tokens.length,
          created_at: new Date().toISOString(),
        })
        .onConflict((oc) => oc.columns(["datanet_id", "version"]).doUpdateSet({ index_id: id }))
        .execute();
      return { indexId: id };
    },
    async listen() {
      const host = config.http?.host ?? "127.0.0.1";
      const port = config.http?.port ?? 8787;
      const limits = config.http ?? {};
      return await new Promise((resolveListen, reject) => {
        server = serve(
          {
            fetch: app.fetch,
            hostname: host,
            port,
            serverOptions: {
              headersTimeout: limits.headersTimeoutMs ?? 15_000,
              requestTimeout: limits.requestTimeoutMs ?? 120_000,
              keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5_000,
              // How often Node checks the two timeouts above (its default, 30 s, lets a slow client linger).
              connectionsCheckingInterval: 1_000,
            },
          },
          (info) => resolveListen({ url: `http://${host}:${info.port}` }),
        );
        (server as NetServer).maxConnections = limits.maxConnections ?? 1024;
        server.once("error", reject);
      });
    },
    async stop() {
      if (server) await new Promise<void>((r) => server!.close(() => r()));
      await Promise.all([leaders?.indexer.stop(), leaders?.epochs.stop()]);
      await chainCtx?.indexer.stop();
      await ctx.llama?.dispose();
      await database.close();
    },
  };
}
