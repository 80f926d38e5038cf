import type { Kysely } from "kysely";
import { createVersionSetIndexes } from "../attribution/versionSetIndexes.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import type { Database } from "../db/schema.ts";
import { createSecretBox, type SecretBox } from "../secrets/createSecretBox.ts";
import { type ModelLimits, nodeLimits } from "./promptLimits.ts";

/** Counters of the service, for tests and operators. */
export type GatewayStats = {
  /** Admissions that read deposits from the chain because the `payers` projection said no. */
  chainReads: number;
  /** Durable receipt batches committed, and receipts in them. */
  batches: number;
  receipts: number;
  /** Who signs receipts: the writer thread (`libsecp256k1` or `noble`), or `event loop` (the key is not local). */
  receiptSigner?: string;
};

/** What the gateway's parts share: the node, its secrets, the node's default limits, the version indexes, counters. */
export type GatewayDeps = {
  ctx: NodeContext;
  db: Kysely<Database>;
  secrets: SecretBox;
  defaultLimits: ModelLimits;
  versionSets: ReturnType<typeof createVersionSetIndexes>;
  counters: Pick<GatewayStats, "chainReads" | "batches" | "receipts">;
};

/**
 * The shared dependencies of one gateway service over `ctx`.
 *
 * @example
 * const deps = gatewayDeps(ctx);
 */
export function gatewayDeps(ctx: NodeContext): GatewayDeps {
  return {
    ctx,
    db: ctx.db,
    secrets: ctx.secrets ?? createSecretBox({ dataDir: ctx.dataDir }),
    defaultLimits: nodeLimits(ctx.gateway),
    versionSets: createVersionSetIndexes(ctx),
    counters: { chainReads: 0, batches: 0, receipts: 0 },
  };
}
