import type { Command } from "commander";
import { UsageError } from "./output.ts";

// Light helpers for argument parsing and option declarations: no chain or HTTP libraries here, so
// `--help` and argument errors answer fast (command actions import the heavy modules on demand).

/** Name of the config file read from the working directory when `--config` is not given. */
export const DEFAULT_CONFIG_FILE = "tributary.config.json";
/** Default data directory (`tributary up` keeps the local network there). */
export const DEFAULT_DATA_DIR = ".tributary";

/** Options every networked command accepts (added by {@link withCommonOptions}). */
export type CommonOptions = {
  config?: string;
  nodeUrl?: string;
  rpcUrl?: string;
  chainId?: string;
  dataDir?: string;
  json?: boolean;
};

/** Adds the connection options (`--config`, `--node-url`, `--rpc-url`, `--chain-id`, `--data-dir`, `--json`). */
export function withCommonOptions(cmd: Command): Command {
  return cmd
    .option("--config <path>", `config file (default ./${DEFAULT_CONFIG_FILE} when present)`)
    .option("--node-url <url>", "node HTTP API (env TRIBUTARY_NODE_URL; default: the local network)")
    .option("--rpc-url <url>", "JSON-RPC endpoint (env TRIBUTARY_RPC_URL; default: the local network)")
    .option("--chain-id <id>", "chain id (env TRIBUTARY_CHAIN_ID; default: asked from the RPC)")
    .option("--data-dir <dir>", `local network folder (env TRIBUTARY_DATA_DIR; default ${DEFAULT_DATA_DIR})`)
    .option("--json", "print the result as JSON");
}

/**
 * Parses an address argument (checksum verified when mixed case), or throws a usage error naming it.
 *
 * @example
 * const payer = await parseAddress("--payer", opts.payer);
 */
export async function parseAddress(what: string, value: string): Promise<`0x${string}`> {
  const bad = () =>
    new UsageError(
      `${what} must be an address (0x followed by 40 hex digits), got "${value}"`,
      "Copy the address from `tributary account list` or your wallet.",
    );
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw bad();
  const { getAddress } = await import("viem");
  try {
    return getAddress(value);
  } catch {
    throw bad();
  }
}

/** Parses a non-negative integer id (datanet, contribution, model, agent, epoch). */
export function parseId(what: string, value: string): bigint {
  if (!/^\d{1,78}$/.test(value))
    throw new UsageError(`${what} must be a whole number, got "${value}"`, "Example: 1");
  return BigInt(value);
}
