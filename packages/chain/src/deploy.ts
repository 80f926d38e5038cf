import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  agentRegistryAbi,
  agentRegistryBytecode,
  datanetRegistryAbi,
  datanetRegistryBytecode,
  modelRegistryAbi,
  modelRegistryBytecode,
  settlementAbi,
  settlementBytecode,
  tributaryTokenAbi,
  tributaryTokenBytecode,
} from "@tributary/abi";
import {
  type Account,
  type Address,
  type Chain,
  createPublicClient,
  createWalletClient,
  getAddress,
  type Hex,
  http,
  type PublicClient,
  type Transport,
  type WalletClient,
} from "viem";

/** Parameters of a deployment; every address and number is public on chain afterwards. */
export type DeployConfig = {
  /** Existing ERC20 to pay in (e.g. OPEN); when absent a TributaryToken is deployed, owned by `owner`. */
  token?: Address;
  /** Admin of the registries' protocol settings and of Settlement (two-step transferable). */
  owner: Address;
  /** Receives the protocol fee and slashed stakes. */
  treasury: Address;
  /** May veto an epoch report during its challenge window. */
  guardian: Address;
  attestors: Address[];
  quorum: number;
  /** Seconds a submitted report waits before it can be finalized. */
  challengeWindow: bigint;
  /** Seconds between a withdrawal request and the earliest withdrawal. */
  withdrawalDelay: bigint;
  /** Protocol share of every fee, in basis points. */
  protocolFeeBps: number;
};

/** What `deployTributary` writes to `deployments/<chainId>.json`. */
export type Deployment = {
  chainId: number;
  deployer: Address;
  /** First block to index from. */
  startBlock: number;
  contracts: {
    token: Address;
    datanetRegistry: Address;
    modelRegistry: Address;
    agentRegistry: Address;
    settlement: Address;
  };
  config: Omit<DeployConfig, "challengeWindow" | "withdrawalDelay"> & {
    challengeWindow: string;
    withdrawalDelay: string;
  };
  deployedAt: string;
};

/** Parameters of {@link deployTributary}. */
export type DeployTributaryParameters = {
  rpcUrl: string;
  account: Account;
  config: DeployConfig;
  chain?: Chain;
  /** Called with a line per step, for progress output. */
  onProgress?: (line: string) => void;
};

/**
 * Deploys the token (unless one is given), the three registries and Settlement, in dependency order,
 * and returns the deployment record. Works against any EVM RPC.
 *
 * @example
 * const deployment = await deployTributary({ rpcUrl, account: privateKeyToAccount(pk), config });
 * writeDeployment("deployments", deployment);
 */
export async function deployTributary(params: DeployTributaryParameters): Promise<Deployment> {
  const { account, config } = params;
  const transport = http(params.rpcUrl);
  const publicClient = createPublicClient({ transport, ...(params.chain ? { chain: params.chain } : {}) });
  const chainId = await publicClient.getChainId();
  const wallet = createWalletClient({ account, transport, ...(params.chain ? { chain: params.chain } : {}) });
  const progress = params.onProgress ?? (() => {});
  const startBlock = Number(await publicClient.getBlockNumber());

  const deploy = async (name: string, abi: readonly unknown[], bytecode: Hex, args: readonly unknown[]) => {
    progress(`deploying ${name} ...`);
    const hash = await wallet.deployContract({
      abi,
      bytecode,
      args,
      account,
      chain: params.chain ?? null,
    } as never);
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success" || !receipt.contractAddress) {
      throw new Error(`deploying ${name} failed in transaction ${hash}`);
    }
    const address = getAddress(receipt.contractAddress);
    progress(`deployed ${name} at ${address}`);
    return address;
  };

  const token =
    config.token ??
    (await deploy("TributaryToken", tributaryTokenAbi, tributaryTokenBytecode, [config.owner]));
  const datanetRegistry = await deploy("DatanetRegistry", datanetRegistryAbi, datanetRegistryBytecode, [
    token,
    config.owner,
    config.treasury,
  ]);
  const modelRegistry = await deploy("ModelRegistry", modelRegistryAbi, modelRegistryBytecode, [
    datanetRegistry,
  ]);
  const agentRegistry = await deploy("AgentRegistry", agentRegistryAbi, agentRegistryBytecode, [
    modelRegistry,
  ]);
  const settlement = await deploy("Settlement", settlementAbi, settlementBytecode, [
    token,
    config.owner,
    config.attestors,
    BigInt(config.quorum),
    config.challengeWindow,
    config.withdrawalDelay,
    config.protocolFeeBps,
    config.treasury,
    config.guardian,
  ]);
  return {
    chainId,
    deployer: account.address,
    startBlock,
    contracts: { token, datanetRegistry, modelRegistry, agentRegistry, settlement },
    config: {
      ...config,
      challengeWindow: config.challengeWindow.toString(),
      withdrawalDelay: config.withdrawalDelay.toString(),
    },
    deployedAt: new Date().toISOString(),
  };
}

/** Writes `<dir>/<chainId>.json` atomically (temp file, rename). */
export function writeDeployment(dir: string, deployment: Deployment): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${deployment.chainId}.json`);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(deployment, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}

/** Reads `<dir>/<chainId>.json`, or undefined when there is none. */
export function readDeployment(dir: string, chainId: number): Deployment | undefined {
  const path = join(dir, `${chainId}.json`);
  if (!existsSync(path)) return undefined;
  return JSON.parse(readFileSync(path, "utf8")) as Deployment;
}

export type { PublicClient, Transport, WalletClient };
