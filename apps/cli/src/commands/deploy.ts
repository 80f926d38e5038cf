import { resolve } from "node:path";
import type { DeployConfig, getNetwork } from "@tributary/chain";
import type { Command } from "commander";
import type { Address } from "viem";
import { fail, step, UsageError } from "../output.ts";

type DeployOptions = {
  rpcUrl: string;
  token?: string;
  owner?: string;
  treasury?: string;
  guardian?: string;
  attestors?: string;
  quorum: string;
  challengeWindow: string;
  withdrawalDelay: string;
  protocolFeeBps: string;
  out: string;
  json?: boolean;
};

const checkAddr = (name: string, v: string | undefined, fallback: Address): Address => {
  if (v === undefined) return fallback;
  if (!/^0x[0-9a-fA-F]{40}$/.test(v))
    throw new UsageError(`--${name} must be an address (0x + 40 hex), got ${v}`);
  return v as Address;
};

const int = (name: string, v: string): bigint => {
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number, got ${v}`);
  return BigInt(v);
};

/** `tributary deploy`: the contracts on any EVM chain, key from env or an encrypted keystore. */
export function registerDeploy(program: Command): void {
  program
    .command("deploy")
    .description(
      "deploy the contracts to any EVM RPC; key from TRIBUTARY_PRIVATE_KEY or TRIBUTARY_KEYSTORE(+_PASSWORD); writes <out>/<chainId>.json",
    )
    .requiredOption("--rpc-url <url>", "JSON-RPC endpoint (e.g. https://rpc.openledger.xyz for chain 1612)")
    .option("--token <address>", "existing ERC20 to pay in (e.g. OPEN); default: deploy a TributaryToken")
    .option("--owner <address>", "protocol admin (default: the deployer)")
    .option("--treasury <address>", "receives protocol fees and slashed stakes (default: the deployer)")
    .option("--guardian <address>", "may veto epoch reports in the challenge window (default: the deployer)")
    .option("--attestors <addresses>", "comma-separated attestor addresses (default: the deployer)")
    .option("--quorum <n>", "signatures needed on an epoch report", "1")
    .option("--challenge-window <seconds>", "seconds before a report can be finalized", "3600")
    .option(
      "--withdrawal-delay <seconds>",
      "seconds between a withdrawal request and the withdrawal",
      "86400",
    )
    .option("--protocol-fee-bps <bps>", "protocol share of each fee, basis points", "500")
    .option("--out <dir>", "folder for the deployment record", "deployments")
    .option("--json", "print the deployment record as JSON")
    .action(async (opts: DeployOptions) => {
      try {
        const { deployTributary, getNetwork, privateKeyFromEnv, writeDeployment } = await import(
          "@tributary/chain"
        );
        const { createPublicClient, getAddress, http } = await import("viem");
        const { privateKeyToAccount } = await import("viem/accounts");
        const addr = (name: string, v: string | undefined, fallback: Address) =>
          getAddress(checkAddr(name, v, fallback));
        const account = privateKeyToAccount(privateKeyFromEnv());
        const me = account.address;
        const chainId = await createPublicClient({ transport: http(opts.rpcUrl) }).getChainId();
        let chain: ReturnType<typeof getNetwork>["chain"] | undefined;
        try {
          chain = getNetwork(chainId).chain;
        } catch {
          chain = undefined; // any EVM chain works; known ones just get nicer names
        }
        const config: DeployConfig = {
          ...(opts.token ? { token: addr("token", opts.token, me) } : {}),
          owner: addr("owner", opts.owner, me),
          treasury: addr("treasury", opts.treasury, me),
          guardian: addr("guardian", opts.guardian, me),
          attestors: opts.attestors
            ? opts.attestors.split(",").map((a) => addr("attestors", a.trim(), me))
            : [me],
          quorum: Number(int("quorum", opts.quorum)),
          challengeWindow: int("challenge-window", opts.challengeWindow),
          withdrawalDelay: int("withdrawal-delay", opts.withdrawalDelay),
          protocolFeeBps: Number(int("protocol-fee-bps", opts.protocolFeeBps)),
        };
        const deployment = await step(`deploying to chain ${chainId} from ${me}`, () =>
          deployTributary({
            rpcUrl: opts.rpcUrl,
            account,
            config,
            ...(chain ? { chain } : {}),
            onProgress: (line) => process.stderr.write(`  ${line}\n`),
          }),
        );
        const path = writeDeployment(resolve(opts.out), deployment);
        if (opts.json) process.stdout.write(`${JSON.stringify(deployment, null, 2)}\n`);
        else process.stdout.write(`deployment written to ${path}\n`);
      } catch (error) {
        fail(error);
      }
    });
}
