import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { Deployment } from "@tributary/chain";
import type { TokenUnit } from "@tributary/core";
import type { NodeClient, TributaryClient } from "@tributary/sdk";
import type { Account, Chain, Hex } from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { z } from "zod";
import { type CommonOptions, DEFAULT_CONFIG_FILE, DEFAULT_DATA_DIR } from "./args.ts";
import { CliError, UsageError } from "./output.ts";

/** What `tributary up` writes to `<dataDir>/network.json` so other commands find the local network. */
export type LocalNetworkFile = { rpcUrl: string; chainId: number; nodeUrl: string; updatedAt: string };

const url = z.string().url({ message: "must be a URL like http://127.0.0.1:8787" });

/** A gas amount in the config file: a decimal string (exact) or a safe integer. */
const gasAmount = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform((v) => BigInt(v))
  .optional();

/** Schema of `tributary.config.json` (every field optional; unknown fields are refused). */
export const ConfigFile = z.strictObject({
  /** Chain id; a chain Tributary does not know needs `chainName` too. */
  chainId: z.number().int().positive().optional(),
  chainName: z.string().min(1).optional(),
  rpcUrl: url.optional(),
  nodeUrl: url.optional(),
  /** Where `tributary up` keeps its local network, and the default keystore folder's parent. */
  dataDir: z.string().min(1).optional(),
  /** Path of the deployment record (`deployments/<chainId>.json`, written by `tributary deploy`). */
  deployment: z.string().min(1).optional(),
  /** Encrypted key (Web3 Secret Storage v3); the password comes from TRIBUTARY_KEYSTORE_PASSWORD. */
  keystore: z.string().min(1).optional(),
  /** Blocks to wait for before trusting a transaction (informational for the CLI). */
  confirmations: z.number().int().nonnegative().optional(),
  /** Relay quotas of `tributary node` (docs/datanets.md "Relay quotas"); omitted fields keep the defaults. */
  relayQuota: z
    .strictObject({
      windowSeconds: z.number().int().positive().optional(),
      perContributor: z
        .strictObject({ documents: z.number().int().nonnegative().optional(), gas: gasAmount })
        .optional(),
      perDatanet: z
        .strictObject({ documents: z.number().int().nonnegative().optional(), gas: gasAmount })
        .optional(),
    })
    .optional(),
});
/** A parsed config file. */
export type ConfigFile = z.infer<typeof ConfigFile>;

/** Settings after merging flags > environment > config file > the local network of `tributary up`. */
export type ResolvedConfig = {
  configPath: string | undefined;
  dataDir: string;
  nodeUrl: string | undefined;
  rpcUrl: string | undefined;
  chainId: number | undefined;
  chainName: string | undefined;
  deploymentPath: string | undefined;
  keystore: string | undefined;
  operatorToken: string | undefined;
  apiKey: string | undefined;
  /** Relay quotas for `tributary node` (config file only). */
  relayQuota: ConfigFile["relayQuota"];
  /** Where each value came from, for `--help`-grade error hints. */
  sources: Record<string, "flag" | "env" | "file" | "local network" | "default">;
};

function readConfigFile(path: string): ConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new CliError(
      `cannot read the config file ${path}: ${(cause as Error).message}`,
      "The config file must be JSON; see docs/cli.md for an example.",
      "CONFIG_INVALID",
    );
  }
  const parsed = ConfigFile.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join(".") || "(root)";
    throw new CliError(
      `config file ${path}: ${where}: ${issue.message}`,
      "Allowed fields: chainId, chainName, rpcUrl, nodeUrl, dataDir, deployment, keystore, confirmations (docs/cli.md).",
      "CONFIG_INVALID",
    );
  }
  return parsed.data;
}

function checkUrl(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (!url.safeParse(value).success)
    throw new UsageError(`${name} must be a URL like http://127.0.0.1:8787, got "${value}"`);
  return value.replace(/\/$/, "");
}

/**
 * Merges flags > environment > config file > the local network that `tributary up` wrote under the data
 * directory (node URL, RPC, chain id, deployment, operator token). Validates every value.
 *
 * @example
 * const config = resolveConfig(opts, process.env);
 */
export function resolveConfig(opts: CommonOptions, env: NodeJS.ProcessEnv = process.env): ResolvedConfig {
  const sources: ResolvedConfig["sources"] = {};
  const explicit = opts.config ?? env.TRIBUTARY_CONFIG;
  let configPath: string | undefined;
  if (explicit) {
    configPath = resolve(explicit);
    if (!existsSync(configPath))
      throw new UsageError(`config file ${explicit} does not exist`, "Check the --config path.");
  } else if (existsSync(DEFAULT_CONFIG_FILE)) configPath = resolve(DEFAULT_CONFIG_FILE);
  const file = configPath ? readConfigFile(configPath) : {};
  const baseDir = configPath ? dirname(configPath) : process.cwd();

  function pick<T>(key: string, flag: T | undefined, envValue: T | undefined, fileValue: T | undefined) {
    const found: [ResolvedConfig["sources"][string], T | undefined] =
      flag !== undefined
        ? ["flag", flag]
        : envValue !== undefined && envValue !== ""
          ? ["env", envValue]
          : fileValue !== undefined
            ? ["file", fileValue]
            : ["default", undefined];
    if (found[1] !== undefined) sources[key] = found[0];
    return found[1];
  }

  const dataDirRaw = pick("dataDir", opts.dataDir, env.TRIBUTARY_DATA_DIR, file.dataDir);
  const dataDir = dataDirRaw
    ? resolve(sources.dataDir === "file" ? baseDir : process.cwd(), dataDirRaw)
    : resolve(DEFAULT_DATA_DIR);
  if (!dataDirRaw) sources.dataDir = "default";

  let local: LocalNetworkFile | undefined;
  const localPath = join(dataDir, "network.json");
  if (existsSync(localPath)) {
    try {
      local = JSON.parse(readFileSync(localPath, "utf8")) as LocalNetworkFile;
    } catch {
      local = undefined;
    }
  }

  let nodeUrl = checkUrl("--node-url", pick("nodeUrl", opts.nodeUrl, env.TRIBUTARY_NODE_URL, file.nodeUrl));
  if (!nodeUrl && local) {
    nodeUrl = local.nodeUrl;
    sources.nodeUrl = "local network";
  }
  let rpcUrl = checkUrl("--rpc-url", pick("rpcUrl", opts.rpcUrl, env.TRIBUTARY_RPC_URL, file.rpcUrl));
  if (!rpcUrl && local) {
    rpcUrl = local.rpcUrl;
    sources.rpcUrl = "local network";
  }

  const chainRaw = pick<string | number>("chainId", opts.chainId, env.TRIBUTARY_CHAIN_ID, file.chainId);
  let chainId: number | undefined;
  if (chainRaw !== undefined) {
    chainId = Number(chainRaw);
    if (!Number.isInteger(chainId) || chainId <= 0)
      throw new UsageError(`chain id must be a positive integer, got "${chainRaw}"`);
  } else if (local && (!rpcUrl || rpcUrl === local.rpcUrl)) {
    chainId = local.chainId;
    sources.chainId = "local network";
  }

  let deploymentPath = file.deployment ? resolve(baseDir, file.deployment) : undefined;
  if (deploymentPath) sources.deployment = "file";

  const keystore = pick("keystore", undefined, env.TRIBUTARY_KEYSTORE, file.keystore);
  let operatorToken = pick("operatorToken", undefined, env.TRIBUTARY_OPERATOR_TOKEN, undefined);
  const tokenPath = join(dataDir, "node", "operator-token");
  if (!operatorToken && local && nodeUrl === local.nodeUrl && existsSync(tokenPath)) {
    operatorToken = readFileSync(tokenPath, "utf8").trim();
    sources.operatorToken = "local network";
  }
  const apiKey = pick("apiKey", undefined, env.TRIBUTARY_API_KEY, undefined);
  if (!deploymentPath && chainId !== undefined) {
    for (const candidate of [
      join(dataDir, "deployments", `${chainId}.json`),
      resolve("deployments", `${chainId}.json`),
    ]) {
      if (existsSync(candidate)) {
        deploymentPath = candidate;
        sources.deployment = "local network";
        break;
      }
    }
  }
  return {
    configPath,
    dataDir,
    nodeUrl,
    rpcUrl,
    chainId,
    chainName: file.chainName,
    deploymentPath,
    keystore: keystore ? resolve(sources.keystore === "file" ? baseDir : process.cwd(), keystore) : undefined,
    operatorToken,
    apiKey,
    relayQuota: file.relayQuota,
    sources,
  };
}

/** A JSON HTTP error of the node, with its code and hint. */
export class NodeHttpError extends CliError {
  readonly status: number;
  constructor(status: number, message: string, hint: string | undefined, code: string) {
    super(message, hint, code);
    this.status = status;
  }
}

/** Lazily built clients for one command invocation. */
export type CliContext = {
  config: ResolvedConfig;
  /** The node's base URL, or a clear error when none is configured. */
  nodeUrl(): string;
  /** The SDK's node client (sends the operator token when one is configured). */
  node(): Promise<NodeClient>;
  /** Any node route: JSON in, JSON out; errors carry the node's code and hint. */
  request<T>(
    method: string,
    path: string,
    body?: unknown,
    auth?: "operator" | "apiKey" | "none",
    apiKeyFlag?: string,
  ): Promise<T>;
  /** Chain clients with the deployment's addresses; `withKey` adds the user's wallet (account and its key). */
  chain(withKey?: boolean): Promise<
    TributaryClient & {
      account?: Account;
      privateKey?: Hex;
      chain: Chain;
      deployment: Deployment;
      rpcUrl: string;
    }
  >;
  /** The user's key: TRIBUTARY_PRIVATE_KEY, or a keystore (env/config) with TRIBUTARY_KEYSTORE_PASSWORD. */
  account(): Promise<PrivateKeyAccount>;
  /**
   * The payment token's symbol and decimals, to print amounts as `0.00116 TRIB`: from the node's `/health`
   * when a node is configured, else read from the token contract of the deployment.
   */
  token(): Promise<TokenUnit>;
  apiKey(flag?: string): string;
};

/**
 * Builds the per-command context from the merged config.
 *
 * @example
 * const cli = createCliContext(opts);
 * const { items } = await cli.node().listDatanets();
 */
export function createCliContext(opts: CommonOptions, env: NodeJS.ProcessEnv = process.env): CliContext {
  const config = resolveConfig(opts, env);
  const nodeUrl = () => {
    if (!config.nodeUrl)
      throw new CliError(
        "no node URL configured",
        `Start a local network with \`tributary up\` (in this folder), or pass --node-url / set TRIBUTARY_NODE_URL / "nodeUrl" in ${DEFAULT_CONFIG_FILE}.`,
        "NO_NODE_URL",
      );
    return config.nodeUrl;
  };
  const operatorFetch: typeof fetch = (input, init = {}) => {
    const headers = new Headers(init.headers);
    if (config.operatorToken) headers.set("authorization", `Bearer ${config.operatorToken}`);
    return fetch(input, { ...init, headers });
  };
  const apiKey = (flag?: string) => {
    const key = flag ?? config.apiKey;
    if (!key)
      throw new CliError(
        "no API key",
        "Pass --api-key trib_… or set TRIBUTARY_API_KEY (`tributary up` prints one; operators create them with `tributary keys create --payer <address>`).",
        "NO_API_KEY",
      );
    return key;
  };
  let account: PrivateKeyAccount | undefined;
  let accountKey: Hex | undefined;
  const getAccount = async () => {
    if (account) return account;
    const { privateKeyFromEnv } = await import("@tributary/chain");
    const { privateKeyToAccount } = await import("viem/accounts");
    let pk: Hex;
    try {
      pk = privateKeyFromEnv({
        ...(env.TRIBUTARY_PRIVATE_KEY ? { TRIBUTARY_PRIVATE_KEY: env.TRIBUTARY_PRIVATE_KEY } : {}),
        ...(config.keystore ? { TRIBUTARY_KEYSTORE: config.keystore } : {}),
        ...(env.TRIBUTARY_KEYSTORE_PASSWORD !== undefined
          ? { TRIBUTARY_KEYSTORE_PASSWORD: env.TRIBUTARY_KEYSTORE_PASSWORD }
          : {}),
      });
    } catch (error) {
      throw new CliError(
        (error as Error).message,
        "This command signs with your key: export TRIBUTARY_PRIVATE_KEY=0x… (local/test networks), or TRIBUTARY_KEYSTORE=<file> and TRIBUTARY_KEYSTORE_PASSWORD (create one with `tributary account new`).",
        "NO_KEY",
      );
    }
    account = privateKeyToAccount(pk);
    accountKey = pk;
    return account;
  };

  async function request<T>(
    method: string,
    path: string,
    body?: unknown,
    auth: "operator" | "apiKey" | "none" = "operator",
    apiKeyFlag?: string,
  ): Promise<T> {
    const base = nodeUrl();
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (auth === "operator" && config.operatorToken) headers.authorization = `Bearer ${config.operatorToken}`;
    if (auth === "apiKey") headers.authorization = `Bearer ${apiKey(apiKeyFlag)}`;
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body !== undefined
          ? { body: JSON.stringify(body, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) }
          : {}),
      });
    } catch {
      throw new CliError(
        `cannot reach the node at ${base}`,
        "Check that the node runs (`tributary up`) and the URL (--node-url, TRIBUTARY_NODE_URL).",
        "NODE_UNREACHABLE",
      );
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = text;
    }
    if (!res.ok) {
      // The gateway's routes answer in OpenAI's shape, with the node's own code as `tributary_code`.
      const e = (
        json as
          | { error?: { code?: string; tributary_code?: string; message?: string; hint?: string } }
          | undefined
      )?.error;
      if (res.status === 404 && e?.code === "NOT_FOUND" && /^no route/.test(e.message ?? "")) {
        throw new NodeHttpError(
          404,
          `the node at ${base} does not serve ${method} ${path.split("?")[0]} (HTTP 404)`,
          "This node runs a version without that route; update and restart it (`tributary up` serves every route).",
          "ROUTE_NOT_SERVED",
        );
      }
      throw new NodeHttpError(
        res.status,
        e?.message ?? `${method} ${path} failed with HTTP ${res.status}`,
        e?.hint,
        e?.tributary_code ?? e?.code ?? `HTTP_${res.status}`,
      );
    }
    return json as T;
  }

  async function chain(withKey = false) {
    const rpcUrl = config.rpcUrl;
    if (!rpcUrl)
      throw new CliError(
        "no RPC URL configured",
        `Start a local network with \`tributary up\`, or pass --rpc-url / set TRIBUTARY_RPC_URL / "rpcUrl" in ${DEFAULT_CONFIG_FILE}.`,
        "NO_RPC_URL",
      );
    const { defineNetwork, networks } = await import("@tributary/chain");
    const { createTributaryClient } = await import("@tributary/sdk");
    const { createPublicClient, createWalletClient, http } = await import("viem");
    let chainId = config.chainId;
    if (chainId === undefined) {
      try {
        chainId = await createPublicClient({ transport: http(rpcUrl) }).getChainId();
      } catch {
        throw new CliError(
          `cannot reach the RPC at ${rpcUrl}`,
          "Check --rpc-url / TRIBUTARY_RPC_URL.",
          "RPC_UNREACHABLE",
        );
      }
    }
    const known = networks[chainId];
    const viemChain: Chain = known
      ? { ...known.chain, rpcUrls: { default: { http: [rpcUrl] } } }
      : defineNetwork({ id: chainId, name: config.chainName ?? `chain ${chainId}`, rpcUrl }).chain;
    let deploymentPath = config.deploymentPath;
    if (!deploymentPath) {
      for (const c of [
        join(config.dataDir, "deployments", `${chainId}.json`),
        resolve("deployments", `${chainId}.json`),
      ])
        if (existsSync(c)) deploymentPath = c;
    }
    if (!deploymentPath)
      throw new CliError(
        `no deployment record for chain ${chainId}`,
        `Point "deployment" in ${DEFAULT_CONFIG_FILE} at deployments/${chainId}.json (written by \`tributary deploy\`), or run \`tributary up\` for a local network.`,
        "NO_DEPLOYMENT",
      );
    const deployment = JSON.parse(readFileSync(deploymentPath, "utf8")) as Deployment;
    const transport = http(rpcUrl);
    const publicClient = createPublicClient({ chain: viemChain, transport, pollingInterval: 200 });
    const acct = withKey ? await getAccount() : undefined;
    const client = createTributaryClient({
      publicClient: publicClient as never,
      ...(acct
        ? { walletClient: createWalletClient({ chain: viemChain, transport, account: acct }) as never }
        : {}),
      addresses: deployment.contracts,
    });
    return {
      ...client,
      chain: viemChain,
      deployment,
      rpcUrl,
      ...(acct ? { account: acct, privateKey: accountKey as Hex } : {}),
    };
  }

  let token: Promise<TokenUnit> | undefined;
  async function readToken(): Promise<TokenUnit> {
    if (config.nodeUrl) {
      const health = await request<{ token?: TokenUnit }>("GET", "/health", undefined, "none");
      if (health.token) return { symbol: health.token.symbol, decimals: health.token.decimals };
    }
    if (config.rpcUrl) {
      const { getTokenMetadata } = await import("@tributary/sdk");
      const { symbol, decimals } = await getTokenMetadata(await chain());
      return { symbol, decimals };
    }
    throw new CliError(
      "cannot tell the payment token's symbol and decimals: the node does not report them and no RPC URL is configured",
      "Update the node (its /health names the token), or pass --rpc-url / set TRIBUTARY_RPC_URL.",
      "NO_TOKEN_INFO",
    );
  }

  return {
    config,
    nodeUrl,
    token: () => {
      token ??= readToken();
      return token;
    },
    node: async () => {
      const { createNodeClient } = await import("@tributary/sdk");
      return createNodeClient({ baseUrl: nodeUrl(), fetch: operatorFetch });
    },
    request,
    chain,
    account: getAccount,
    apiKey,
  };
}
