import type { Deployment } from "@tributary/chain";
import type { Tokenizer } from "@tributary/core";
import type { TributaryClient } from "@tributary/sdk";
import type { Kysely } from "kysely";
import type { Account, Chain, Hex, PublicClient, Transport, WalletClient } from "viem";
import type { Metrics } from "../api/metrics.ts";
import type { IndexFileStore } from "../attribution/createIndexFileStore.ts";
import type { Database } from "../db/schema.ts";
import type { AttributionEngine } from "../epochs/verifyBundle.ts";
import type { LlamaRuntime } from "../gateway/llama/types.ts";
import type { Indexer } from "../indexer/createIndexer.ts";
import type { OutboundConfig } from "../net/outboundConfig.ts";
import type { Leadership } from "../replicas/createLeaderElection.ts";
import type { SecretBox } from "../secrets/createSecretBox.ts";
import type { LocalContentStore } from "../store/createLocalContentStore.ts";

/** Structured log line sink (JSON logs in production, quiet in tests). */
export type Logger = (
  level: "debug" | "info" | "warn" | "error",
  message: string,
  fields?: Record<string, unknown>,
) => void;

/** What the node's chain connection provides to services. */
export type ChainContext = {
  chainId: number;
  deployment: Deployment;
  publicClient: PublicClient<Transport, Chain>;
  /** The node's own key: relays signed uploads, publishes for curators that delegate to it, signs epochs. */
  walletClient: WalletClient<Transport, Chain, Account>;
  /** SDK client bound to the node's wallet and the deployment's addresses. */
  sdk: TributaryClient;
  /** The wallet account's private key when the operator gave it (see `createNode`'s `chain.privateKey`). */
  privateKey?: Hex;
  indexer: Indexer;
};

/**
 * The one injected context every node service receives (in the spirit of ponder's `common`): storage,
 * chain, tokenizer, logging and metrics. Services are `createX(ctx)` closures; nothing reaches for globals.
 */
export type NodeContext = {
  dataDir: string;
  db: Kysely<Database>;
  /**
   * The database behind `db`: `sqlite` (one process; the default) or `postgres` (replicas may share it, so
   * credit holds and payer totals live in the database, see docs/replicas.md). Absent means `sqlite`.
   */
  dialect?: "sqlite" | "postgres";
  /**
   * On PostgreSQL, this replica's standing in the indexer's and the epoch closer's elections. Absent on SQLite:
   * one process, always the leader.
   */
  leaders?: { indexer: Leadership; epochs: Leadership };
  store: LocalContentStore;
  indexes: IndexFileStore;
  tokenizer: Tokenizer;
  /** Present when the node is connected to a chain (always, except in pure HTTP tests). */
  chain?: ChainContext;
  log: Logger;
  /** Prometheus metrics served at `GET /metrics`: `ctx.metrics.counter(name, help, labelNames).inc(labels)`. */
  metrics: Metrics;
  /** When set, operator routes (see `requireOperator`) need `Authorization: Bearer <operatorToken>`. */
  operatorToken?: string;
  /** Seals secrets at rest (upstream credentials) with `<dataDir>/secrets.key`; made from `dataDir` when absent. */
  secrets?: SecretBox;
  /** Attribution recomputations by algorithm id, for verifying receipts of other engines (e.g. span-v1). */
  attributionEngines?: Record<string, AttributionEngine>;
  /** Gateway settings; defaults apply when absent. */
  gateway?: GatewayConfig;
  /** Limits of outbound requests (bundles, version exports, upstreams); defaults apply when absent. */
  outbound?: OutboundConfig;
  /**
   * Told which payers' `payer_charges` changed outside the receipt writer (an epoch's quarantine refunds a
   * receipt's charge), so that whoever keeps those totals in memory (the gateway's admission) reads them again.
   */
  payerChargesChanged?: Set<(payers: readonly string[]) => void>;
  /** The local llama runtime (base GGUFs, LoRA adapters, context pool); loaded on first use. */
  llama?: LlamaRuntime;
};

/** Gateway settings of a node (`NodeConfig.gateway`). */
export type GatewayConfig = {
  /** Requests per minute per API key when the key has no limit of its own (default 600; 0 = unlimited). */
  rateLimitPerMinute?: number;
  /** Most input tokens of a prompt, for models without a limit of their own (default 8192). */
  maxInputTokens?: number;
  /** Most UTF-8 bytes of a prompt, checked before tokenizing, for models without their own (default 262144). */
  maxPromptBytes?: number;
  /** Most output tokens a request may ask for, for models without their own (default and cap 4096). */
  maxOutputTokens?: number;
};
