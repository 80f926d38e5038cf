import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import type { Anvil, DeployConfig, Deployment } from "@tributary/chain";
import type { TributaryNode } from "@tributary/node";
import type { Command } from "commander";
import type { LocalNetworkFile } from "../config.ts";
import type { DemoInfo } from "../demo/seedDemo.ts";
import { formatHumanNodeLog } from "../humanNodeLog.ts";
import { bold, cyan, dim, green, red, run, UsageError, yellow } from "../output.ts";

/** anvil's public test mnemonic: the local network's accounts, never to be used elsewhere. */
const LOCAL_MNEMONIC = "test test test test test test test test test test test junk";

type UpOptions = {
  dataDir: string;
  fresh?: boolean;
  epochInterval?: string;
  port: string;
  httpPort: string;
  json?: boolean;
  demo: boolean;
  logFormat: string;
};

/** Progress and logs of `up`: human lines, or one JSON object per line with `--log-format json`. */
type UpLog = {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
};

function createUpLog(format: "human" | "json"): UpLog {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) => {
    if (format === "json")
      process.stderr.write(
        `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields }, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`,
      );
    else if (level === "warn") process.stderr.write(`${yellow(bold("! warning:"))} ${yellow(msg)}\n`);
    else process.stderr.write(`${level === "error" ? red("✗") : green("✓")} ${msg}\n`);
  };
  return {
    info: (m, f) => line("info", m, f),
    error: (m, f) => line("error", m, f),
    warn: (m, f) => line("warn", m, f),
    async step(label, work) {
      const started = Date.now();
      if (format === "human") process.stderr.write(`${dim("…")} ${label}\n`);
      try {
        const result = await work();
        const seconds = (Date.now() - started) / 1000;
        if (format === "json") line("info", label, { seconds });
        else process.stderr.write(`${green("✓")} ${label} ${dim(`(${seconds.toFixed(1)} s)`)}\n`);
        return result;
      } catch (error) {
        line("error", `${label} failed`, { error: (error as Error).message });
        throw error;
      }
    },
  };
}

/** `tributary up`: local chain, contracts, node (every route) and a seeded demo; Ctrl-C stops it. */
export function registerUp(program: Command): void {
  program
    .command("up")
    .description(
      "start a local network: anvil, the contracts, the node with its API and web app, and a seeded demo (Moby-Dick datanet, ∞-gram model, funded payer with an API key); Ctrl-C stops it",
    )
    .option("--data-dir <dir>", "where chain state, node data and the demo are kept", ".tributary")
    .option("--fresh", "delete the data directory first and start over")
    .option("--port <port>", "RPC port of the local chain (a free one if taken)", "8545")
    .option("--http-port <port>", "port of the node's HTTP API and web app (a free one if taken)", "8787")
    .option("--no-demo", "do not seed the demo datanet, model and payer")
    .option("--log-format <format>", "human | json (structured logs on stderr)", "human")
    .option(
      "--epoch-interval <seconds>",
      "close and finalize epochs on their own every this many seconds (0: only on `tributary epoch close`)",
      "0",
    )
    .option("--json", "print the network description (URLs, API key, operator token) as one JSON line")
    .action(run(async (opts: UpOptions) => up(opts)));
}

function port(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new UsageError(`--${name} must be a port number, got "${v}"`);
  return n;
}

async function up(opts: UpOptions): Promise<void> {
  if (opts.logFormat !== "human" && opts.logFormat !== "json")
    throw new UsageError(`--log-format must be human or json, got "${opts.logFormat}"`);
  const log = createUpLog(opts.logFormat);
  // Everything `up` writes (database, keys, operator token, content, chain state) is the user's only.
  process.umask(0o077);
  const { deployTributary, isPortFree, readDeployment, startAnvil, writeDeployment } = await import(
    "@tributary/chain"
  );
  const {
    createAgentRoutes,
    createDatanetRoutes,
    createEpochRoutes,
    createGatewayRoutes,
    createTrainingRoutes,
    createNode,
    createVersionRoutes,
    createWebRoutes,
  } = await import("@tributary/node");
  const { bytesToHex, createPublicClient, http } = await import("viem");
  const { mnemonicToAccount } = await import("viem/accounts");
  const { foundry } = await import("viem/chains");
  const { seedDemo } = await import("../demo/seedDemo.ts");
  const { webDistDir } = await import("@tributary/web");
  const epochIntervalMs = Number(opts.epochInterval ?? "0") * 1000;
  if (!Number.isFinite(epochIntervalMs) || epochIntervalMs < 0) {
    throw new UsageError(
      `--epoch-interval must be a number of seconds, got ${opts.epochInterval}`,
      "Use e.g. --epoch-interval 300.",
    );
  }
  const wanted = port("port", opts.port);
  const httpWanted = port("http-port", opts.httpPort);
  const dataDir = resolve(opts.dataDir);
  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const chainDir = join(dataDir, "chain");
  mkdirSync(chainDir, { recursive: true });
  const statePath = join(chainDir, "state.json");
  const resumed = existsSync(statePath);
  const freePort = wanted !== 0 && (await isPortFree(wanted)) ? wanted : undefined;
  const anvil: Anvil = await log.step(`starting local chain${resumed ? " (resuming saved state)" : ""}`, () =>
    startAnvil({ ...(freePort ? { port: freePort } : {}), statePath, extraArgs: ["--state-interval", "5"] }),
  );
  // A taken port is not an error (another `tributary up`, a dev server), but every URL changes: say so loudly.
  const portsTaken: { rpc?: number; http?: number } = {};
  if (wanted !== 0 && !freePort) {
    portsTaken.rpc = wanted;
    log.warn(
      `port ${wanted} is taken (another anvil or tributary up?): the local chain is on ${anvil.rpcUrl} instead. Use the URLs printed below, or free the port / pass --port.`,
      { wanted, rpcUrl: anvil.rpcUrl },
    );
  }
  const httpFree = httpWanted !== 0 && (await isPortFree(httpWanted));
  let node: (TributaryNode & { url: string }) | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    if (opts.logFormat === "json") log.info("stopping: node, then chain (state is saved)");
    else process.stderr.write(`\n${dim("stopping: node, then chain (state is saved) ...")}\n`);
    await node?.stop().catch(() => {});
    await anvil.stop();
    process.exit(0);
  };
  // `on`, not `once`: a second Ctrl-C (or a signal re-raised by a library's exit hook) while the node and the
  // chain are stopping must not kill the process before the chain state is saved; `stopping` makes it a no-op.
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  const accounts = Array.from({ length: 10 }, (_, i) =>
    mnemonicToAccount(LOCAL_MNEMONIC, { addressIndex: i }),
  );
  const deploymentsDir = join(dataDir, "deployments");
  let deployment: Deployment | undefined = readDeployment(deploymentsDir, anvil.chainId);
  const client = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  let chainLost = false;
  if (deployment) {
    const code = await client.getCode({ address: deployment.contracts.settlement });
    if (!code || code === "0x") {
      deployment = undefined; // the saved chain was lost: deploy again
      chainLost = true;
    }
  }
  if (!deployment) {
    const a = (i: number) => accounts[i]!.address;
    const config: DeployConfig = {
      owner: a(0),
      treasury: a(1),
      guardian: a(2),
      attestors: [a(0)],
      quorum: 1,
      challengeWindow: 60n,
      withdrawalDelay: 300n,
      protocolFeeBps: 500,
    };
    const fresh = await log.step("deploying contracts", () =>
      deployTributary({ rpcUrl: anvil.rpcUrl, account: accounts[0]!, config, chain: foundry }),
    );
    writeDeployment(deploymentsDir, fresh);
    deployment = fresh;
  } else {
    log.info(`contracts already deployed (reusing ${join(opts.dataDir, "deployments")})`);
  }
  const nodeDir = join(dataDir, "node");
  if (chainLost) {
    // The node's database describes a chain that no longer exists: start the node (and demo) over.
    rmSync(nodeDir, { recursive: true, force: true });
    rmSync(join(dataDir, "demo.json"), { force: true });
  }
  mkdirSync(nodeDir, { recursive: true, mode: 0o700 });
  const tokenPath = join(nodeDir, "operator-token");
  if (!existsSync(tokenPath))
    writeFileSync(tokenPath, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  const operatorToken = readFileSync(tokenPath, "utf8").trim();

  const started = await log.step("starting the node (database, index store, HTTP API)", async () => {
    const n = await createNode({
      dataDir: nodeDir,
      chain: {
        rpcUrl: anvil.rpcUrl,
        deployment: deployment!,
        account: accounts[0]!,
        chain: foundry,
        pollIntervalMs: 200,
      },
      // JSON routes take small bodies (64 KiB); the upload route (64 MiB) and the gateway's completions (1 MiB)
      // declare their own limits.
      http: { port: httpFree ? httpWanted : 0 },
      operatorToken,
      ...(opts.logFormat === "json"
        ? {
            log: (level, message, fields) =>
              process.stderr.write(
                `${JSON.stringify({ time: new Date().toISOString(), level, msg: message, source: "node", ...fields }, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`,
              ),
          }
        : {
            // Failed requests print their error code, message and request id; other errors their message.
            log: (level, message, fields) => {
              const line = formatHumanNodeLog(level, message, fields);
              if (line !== undefined) process.stderr.write(`${line}\n`);
            },
          }),
      // Routes the node serves; the web app last, as it answers every other GET path.
      routes: [
        (ctx) => createDatanetRoutes(ctx),
        (ctx) => createVersionRoutes(ctx),
        (ctx) => createGatewayRoutes(ctx),
        (ctx) => createAgentRoutes(ctx),
        (ctx) => createTrainingRoutes(ctx),
        (ctx) => createEpochRoutes(ctx, { intervalMs: epochIntervalMs }),
        () => createWebRoutes({ distDir: webDistDir }),
      ],
    });
    return { ...n, ...(await n.listen()) };
  });
  node = started;
  if (httpWanted !== 0 && !httpFree) {
    portsTaken.http = httpWanted;
    log.warn(
      `port ${httpWanted} is taken: the node and web app are on ${node.url} instead. Use the URLs printed below, or free the port / pass --http-port.`,
      { wanted: httpWanted, nodeUrl: node.url },
    );
  }
  // A key of the local chain's public test mnemonic that the demo does not use, for the walkthrough's
  // contribute step (anvil account 9; never hold real funds with it).
  const contributorIndex = 9;
  const contributorKey = bytesToHex(
    mnemonicToAccount(LOCAL_MNEMONIC, { addressIndex: contributorIndex }).getHdKey().privateKey!,
  );
  // anvil mines only when a transaction arrives, so an idle local chain's clock stops at its last block and a
  // challenge window would never end. A real chain makes blocks all the time: mine an empty block every few
  // seconds so that the local chain's time follows the wall clock too.
  const heartbeat = setInterval(() => {
    fetch(anvil.rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "evm_mine", params: [] }),
    }).catch(() => {});
  }, 5_000);
  heartbeat.unref();
  const network: LocalNetworkFile = {
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    nodeUrl: node.url,
    updatedAt: new Date().toISOString(),
  };
  writeFileSync(join(dataDir, "network.json"), `${JSON.stringify(network, null, 2)}\n`);

  const demoPath = join(dataDir, "demo.json");
  let demo: DemoInfo | undefined;
  if (existsSync(demoPath)) {
    demo = JSON.parse(readFileSync(demoPath, "utf8")) as DemoInfo;
    log.info(
      `demo already seeded (reusing ${relative(process.cwd(), demoPath) || demoPath}; --fresh starts over)`,
    );
  } else if (opts.demo) {
    const running = node;
    demo = await log.step("seeding the demo (Moby-Dick datanet, ∞-gram model, funded payer)", () =>
      seedDemo({
        node: running,
        nodeUrl: running.url,
        operatorToken,
        rpcUrl: anvil.rpcUrl,
        chain: foundry,
        deployment: deployment!,
        accounts,
        onProgress: (line, fields) =>
          opts.logFormat === "json"
            ? log.info(line, fields)
            : process.stderr.write(`  ${dim("·")} ${line}\n`),
      }),
    );
    writeFileSync(demoPath, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
  }

  const dd = opts.dataDir === ".tributary" ? "" : ` --data-dir ${opts.dataDir}`;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({
        rpcUrl: anvil.rpcUrl,
        chainId: anvil.chainId,
        nodeUrl: node.url,
        webUrl: `${node.url}/`,
        operatorToken,
        contracts: deployment.contracts,
        dataDir,
        demo: demo ?? null,
        contributor: { address: accounts[contributorIndex]!.address, privateKey: contributorKey },
        portsTaken,
      })}\n`,
    );
  } else {
    const prompt = "Call me Ishmael";
    const lines = [
      "",
      bold("Tributary local network is up"),
      `  web app          ${cyan(`${node.url}/`)}`,
      `  node API         ${cyan(`${node.url}/v1`)}  ${dim("(health at /health)")}`,
      `  RPC              ${cyan(anvil.rpcUrl)}  (chain id ${anvil.chainId})`,
      `  operator token   ${operatorToken}  ${dim(`(${relative(process.cwd(), tokenPath) || tokenPath})`)}`,
      ...(demo
        ? [
            `  API key          ${bold(demo.apiKey)}  ${dim(`(payer ${demo.payer}, anvil account ${demo.payerAccountIndex})`)}`,
            `  demo             datanet ${demo.datanetId} v${demo.version}: ${demo.documents} Moby-Dick chunks from ${demo.contributors.length} contributors; model ${bold(demo.model)}`,
          ]
        : []),
      ...Object.entries(deployment.contracts).map(([k, v]) => `  ${k.padEnd(17)}${v}`),
      `  accounts         anvil's test mnemonic; owner/attestor ${accounts[0]!.address}`,
      `  your key         ${contributorKey}  ${dim(`(anvil account ${contributorIndex}, ${accounts[contributorIndex]!.address}: a public test key for contributing; never use it on a real chain)`)}`,
      ...(portsTaken.rpc || portsTaken.http
        ? [
            "",
            yellow(
              `${bold("! ports changed:")} ${[portsTaken.rpc && `${portsTaken.rpc} (chain)`, portsTaken.http && `${portsTaken.http} (node, web app)`].filter(Boolean).join(" and ")} ${portsTaken.rpc && portsTaken.http ? "were" : "was"} taken; the URLs above are the ones in use.`,
            ),
          ]
        : []),
      "",
      "Try next:",
      ...(demo
        ? [
            `  ${cyan(`TRIBUTARY_API_KEY=${demo.apiKey} npx tributary infer${dd} --model ${demo.model} "${prompt}"`)}`,
            `  ${cyan(`curl -s ${node.url}/v1/chat/completions -H 'authorization: Bearer ${demo.apiKey}' -H 'content-type: application/json' -d '{"model":"${demo.model}","messages":[{"role":"user","content":"${prompt}"}]}'`)}`,
            `  ${cyan(`npx tributary epoch close${dd}`)}              ${dim("# settle the receipts on chain")}`,
            `  ${cyan(`TRIBUTARY_PRIVATE_KEY=${contributorKey} npx tributary datanet contribute${dd} ${demo.datanetId} my-notes.md`)}`,
          ]
        : [
            `  ${cyan(`npx tributary datanet create${dd}`)}`,
            `  ${cyan(`npx tributary datanet list${dd}`)}`,
            `  ${cyan(`npx tributary model list${dd}`)}`,
          ]),
      "",
      dim("Ctrl-C stops everything; `tributary up` again resumes, `--fresh` starts over."),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  await new Promise(() => {});
}
