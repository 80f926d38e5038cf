import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { type CommonOptions, withCommonOptions } from "../args.ts";
import { createCliContext } from "../config.ts";
import { bold, CliError, cyan, dim, run, UsageError } from "../output.ts";

type NodeOptions = CommonOptions & {
  host: string;
  port: string;
  publicUrl?: string;
  peers?: string;
  epochInterval: string;
  logFormat: string;
  trustProxyHops: string;
  clientRateLimit: string;
  databaseUrl?: string;
  llamaThreads?: string;
};

/**
 * `tributary node`: runs a node in production against any EVM chain: the chain, deployment and key come from
 * the config file and environment (the attestor key from an encrypted keystore), the data directory holds the
 * database, content store and indexes. Serves every route and the web app; Ctrl-C stops it.
 */
export function registerNode(program: Command): void {
  withCommonOptions(
    program
      .command("node")
      .description(
        "run a node against the configured chain (RPC, deployment, key from a keystore): indexer, API, gateway, epochs, web app",
      ),
  )
    .option("--host <host>", "interface to listen on", "127.0.0.1")
    .option("--port <port>", "HTTP port", "8787")
    .option("--public-url <url>", "this node's URL as peers reach it (to download epoch bundles)")
    .option(
      "--peers <urls>",
      "comma-separated URLs of fellow attestors' nodes: asked to co-sign epochs, and the only nodes this one co-signs for or downloads bundles from",
    )
    .option(
      "--epoch-interval <seconds>",
      "close and finalize epochs every this many seconds (0: on request)",
      "0",
    )
    .option(
      "--database-url <url>",
      "postgres://user[:password]@host:port/db: run on PostgreSQL, which several replicas of this node may share (docs/replicas.md); default: TRIBUTARY_DATABASE_URL, else SQLite in the data directory",
    )
    .option("--log-format <format>", "json | human", "json")
    .option(
      "--trust-proxy-hops <n>",
      "reverse proxies in front of the node whose X-Forwarded-For names the client (1 behind one TLS proxy)",
      "0",
    )
    .option(
      "--llama-threads <n>",
      "CPU threads of local llama models (default: the machine's cores; 1 is faster for tiny models on 2 cores, docs/serving-adapters.md)",
    )
    .option(
      "--client-rate-limit <perMinute>",
      "requests per minute per client address on costly public routes (claims, finalize, verify, co-sign, attribution, uploads); 0: none",
      "60",
    )
    .action(
      run(async (opts: NodeOptions) => {
        // The node's files (database, secrets key, content store) are the operator's only.
        process.umask(0o077);
        const port = Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) {
          throw new UsageError(`--port must be a port number, got "${opts.port}"`);
        }
        const interval = Number(opts.epochInterval);
        if (!Number.isFinite(interval) || interval < 0) {
          throw new UsageError(`--epoch-interval must be seconds, got "${opts.epochInterval}"`);
        }
        const trustProxyHops = Number(opts.trustProxyHops);
        if (!Number.isInteger(trustProxyHops) || trustProxyHops < 0) {
          throw new UsageError(`--trust-proxy-hops must be a whole number, got "${opts.trustProxyHops}"`);
        }
        const clientRateLimitPerMinute = Number(opts.clientRateLimit);
        if (!Number.isInteger(clientRateLimitPerMinute) || clientRateLimitPerMinute < 0) {
          throw new UsageError(
            `--client-rate-limit must be a whole number per minute, got "${opts.clientRateLimit}"`,
          );
        }
        const peers = (opts.peers ?? "")
          .split(",")
          .map((p) => p.trim())
          .filter(Boolean);
        for (const p of [...peers, ...(opts.publicUrl ? [opts.publicUrl] : [])]) {
          if (!/^https?:\/\/[^\s]+$/.test(p)) throw new UsageError(`"${p}" is not a URL`);
        }
        const llamaThreads = opts.llamaThreads ?? (process.env.TRIBUTARY_LLAMA_THREADS || undefined);
        if (llamaThreads !== undefined && !/^([1-9]|[1-9][0-9])$/.test(llamaThreads))
          throw new UsageError(
            `--llama-threads (or TRIBUTARY_LLAMA_THREADS) must be a whole number from 1 to 99, got "${llamaThreads}"`,
          );
        const databaseUrl = opts.databaseUrl ?? (process.env.TRIBUTARY_DATABASE_URL || undefined);
        if (databaseUrl !== undefined && !/^postgres(ql)?:\/\/[^\s]+$/i.test(databaseUrl)) {
          throw new UsageError(
            `--database-url (or TRIBUTARY_DATABASE_URL) must be a postgres:// URL, got "${redactPassword(databaseUrl)}"`,
          );
        }
        const cli = createCliContext(opts);
        const operatorToken = cli.config.operatorToken ?? readToken(cli.config.dataDir);
        if (!operatorToken && opts.host !== "127.0.0.1" && opts.host !== "localhost") {
          throw new CliError(
            `refusing to serve operator routes on ${opts.host} without an operator token`,
            "Set TRIBUTARY_OPERATOR_TOKEN (a long random secret) or listen on 127.0.0.1.",
            "NO_OPERATOR_TOKEN",
          );
        }
        const chain = await cli.chain(true);
        const {
          createAgentRoutes,
          createDatanetRoutes,
          createEpochRoutes,
          createGatewayRoutes,
          createTrainingRoutes,
          createJsonLogger,
          createNode,
          createVersionRoutes,
          createWebRoutes,
        } = await import("@tributary/node");
        const { webDistDir } = await import("@tributary/web");
        let url: string | undefined;
        const node = await createNode({
          dataDir: join(cli.config.dataDir, "node"),
          ...(databaseUrl ? { databaseUrl } : {}),
          ...(llamaThreads ? { llama: { threads: Number(llamaThreads) } } : {}),
          chain: {
            rpcUrl: chain.rpcUrl,
            deployment: chain.deployment,
            account: chain.account!,
            // Lets the gateway's receipt writer sign receipts on its own thread (libsecp256k1).
            privateKey: chain.privateKey!,
            chain: chain.chain,
          },
          // JSON routes take 64 KiB; uploads (64 MiB) and the gateway's completions (1 MiB) declare their own limits.
          http: { host: opts.host, port, trustProxyHops, clientRateLimitPerMinute },
          ...(operatorToken ? { operatorToken } : {}),
          ...(opts.logFormat === "json" ? { log: createJsonLogger({ level: "info" }) } : {}),
          routes: [
            (ctx) =>
              createDatanetRoutes(
                ctx,
                cli.config.relayQuota ? { upload: { relayQuota: cli.config.relayQuota } } : {},
              ),
            (ctx) => createVersionRoutes(ctx),
            (ctx) => createGatewayRoutes(ctx),
            (ctx) => createAgentRoutes(ctx),
            (ctx) => createTrainingRoutes(ctx),
            (ctx) =>
              createEpochRoutes(ctx, {
                peers,
                publicUrl: () => opts.publicUrl ?? url,
                intervalMs: interval * 1000,
              }),
            () => createWebRoutes({ distDir: webDistDir }),
          ],
        });
        ({ url } = await node.listen());
        let stopping = false;
        const stop = async () => {
          // A second signal while stopping (or one re-raised by a library's exit hook) must not cut the stop short.
          if (stopping) return;
          stopping = true;
          await node.stop();
          process.exit(0);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ url, chainId: chain.deployment.chainId, account: chain.account!.address, peers, database: databaseUrl ? "postgres" : "sqlite" })}\n`,
          );
        } else {
          process.stdout.write(
            `${bold("Tributary node")} on ${cyan(url)} ${dim(`(chain ${chain.deployment.chainId}, key ${chain.account!.address}${peers.length ? `, peers ${peers.join(" ")}` : ""}, ${databaseUrl ? `PostgreSQL ${redactPassword(databaseUrl)}` : "SQLite"})`)}\n`,
          );
        }
        await new Promise(() => {});
      }),
    );
}

/** `url` without its password, for messages. */
function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}

function readToken(dataDir: string): string | undefined {
  const path = join(dataDir, "node", "operator-token");
  return existsSync(path) ? readFileSync(path, "utf8").trim() || undefined : undefined;
}
