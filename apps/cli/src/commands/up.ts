import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type Anvil,
  type DeployConfig,
  type Deployment,
  deployTributary,
  isPortFree,
  readDeployment,
  startAnvil,
  writeDeployment,
} from "@tributary/chain";
import { createDatanetRoutes, createGatewayRoutes, createNode, createVersionRoutes } from "@tributary/node";
import type { Command } from "commander";
import { createPublicClient, http } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { bold, cyan, dim, fail, step } from "../output.ts";

/** anvil's public test mnemonic: the local network's accounts, never to be used elsewhere. */
const LOCAL_MNEMONIC = "test test test test test test test test test test test junk";

type UpOptions = { dataDir: string; fresh?: boolean; port: string; httpPort: string; json?: boolean };

/** `tributary up`: local chain, contracts, and (as the node lands) node, web UI and a seeded demo. */
export function registerUp(program: Command): void {
  program
    .command("up")
    .description(
      "start a local network: anvil from npm, the contracts deployed, ready to use; Ctrl-C stops it",
    )
    .option("--data-dir <dir>", "where chain state and deployments are kept", ".tributary")
    .option("--fresh", "delete the data directory first and start over")
    .option("--port <port>", "RPC port of the local chain (a free one if taken)", "8545")
    .option("--http-port <port>", "port of the node's HTTP API (a free one if taken)", "8787")
    .option("--json", "print the network description as JSON")
    .action(async (opts: UpOptions) => {
      try {
        await up(opts);
      } catch (error) {
        fail(error);
      }
    });
}

async function up(opts: UpOptions): Promise<void> {
  const dataDir = resolve(opts.dataDir);
  if (opts.fresh) rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const chainDir = join(dataDir, "chain");
  mkdirSync(chainDir, { recursive: true });
  const wanted = Number(opts.port);
  if (!Number.isInteger(wanted) || wanted <= 0 || wanted > 65535)
    throw new Error(`--port must be a port number, got ${opts.port}`);
  const port = (await isPortFree(wanted)) ? wanted : undefined;
  const statePath = join(chainDir, "state.json");
  const resumed = existsSync(statePath);
  const anvil: Anvil = await step(`starting local chain${resumed ? " (resuming saved state)" : ""}`, () =>
    startAnvil({ ...(port ? { port } : {}), statePath, extraArgs: ["--state-interval", "5"] }),
  );
  let node: (Awaited<ReturnType<typeof createNode>> & { url: string }) | undefined;
  const stop = async () => {
    process.stderr.write(`\n${dim("stopping: node, then chain (state is saved) ...")}\n`);
    await node?.stop();
    await anvil.stop();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);

  const accounts = Array.from({ length: 10 }, (_, i) =>
    mnemonicToAccount(LOCAL_MNEMONIC, { addressIndex: i }),
  );
  const deploymentsDir = join(dataDir, "deployments");
  let deployment: Deployment | undefined = readDeployment(deploymentsDir, anvil.chainId);
  const client = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  if (deployment) {
    const code = await client.getCode({ address: deployment.contracts.settlement });
    if (!code || code === "0x") deployment = undefined; // the saved chain was lost: deploy again
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
    const fresh = await step("deploying contracts", () =>
      deployTributary({ rpcUrl: anvil.rpcUrl, account: accounts[0]!, config, chain: foundry }),
    );
    writeDeployment(deploymentsDir, fresh);
    deployment = fresh;
  } else {
    process.stderr.write(
      `${dim("✓ contracts already deployed (reusing")} ${dim(join(opts.dataDir, "deployments"))}${dim(")")}\n`,
    );
  }
  const httpWanted = Number(opts.httpPort);
  const started = await step("starting the node (database, index store, HTTP API)", async () => {
    const n = await createNode({
      dataDir: join(dataDir, "node"),
      chain: { rpcUrl: anvil.rpcUrl, deployment: deployment!, account: accounts[0]!, chain: foundry },
      // Uploads carry whole files; the upload route applies its own limit per request.
      http: { port: (await isPortFree(httpWanted)) ? httpWanted : 0, maxBodyBytes: 64 * 1024 * 1024 },
      routes: [
        (ctx) => createDatanetRoutes(ctx),
        (ctx) => createVersionRoutes(ctx),
        (ctx) => createGatewayRoutes(ctx),
      ],
    });
    return { ...n, ...(await n.listen()) };
  });
  node = started;
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, contracts: deployment.contracts }, null, 2)}\n`,
    );
  } else {
    const lines = [
      "",
      bold("Tributary local network is up"),
      `  RPC              ${cyan(anvil.rpcUrl)}  (chain id ${anvil.chainId})`,
      `  node API         ${cyan(node.url)}  (/health, /datanets, /uploads, /contributions, /v1/attribution, /v1/models, /v1/chat/completions)`,
      ...Object.entries(deployment.contracts).map(([k, v]) => `  ${k.padEnd(17)}${v}`),
      `  deployment       ${join(opts.dataDir, "deployments", `${anvil.chainId}.json`)}`,
      `  accounts         anvil's test mnemonic; owner/attestor ${accounts[0]!.address}`,
      "",
      "Try next:",
      `  ${cyan(`curl -X POST ${node.url}/v1/datanets -H 'content-type: application/json' -d '{"metadataURI":"ipfs://demo","policy":{"curated":true,"minStake":"0","license":"CC-BY-4.0"}}'`)}`,
      `  ${cyan(`curl ${node.url}/v1/datanets`)}                  ${dim("# what the indexer saw on chain")}`,
      `  ${cyan("npm run bench:gas")}                                ${dim("# gas of every main operation")}`,
      "",
      dim("Ctrl-C stops everything; `tributary up` again resumes, `--fresh` starts over."),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  await new Promise(() => {});
}
