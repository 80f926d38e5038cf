import type { Address, Hex } from "viem";
import { getAddress } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { NodeContext } from "../context/NodeContext.ts";
import type { EpochRow } from "../db/schema.ts";

/**
 * The columns of an epoch that is cut and nothing more: no receipts counted, no trees, no bundle, no signature.
 * A cut starts here, and a quarantine re-cut (epochs/quarantine.ts) returns here.
 */
export const CUT_STATE = {
  status: "cut",
  receipt_count: 0,
  epoch_charged: "0",
  cumulative_charged: null,
  cumulative_rewards: null,
  charges_root: null,
  rewards_root: null,
  receipts_root: null,
  bundle_cid: null,
  digest: null,
  signatures: "[]",
  verification: null,
} as const satisfies Partial<EpochRow>;

/** A report this node built, as the API shows it (docs/api-epochs.md). Amounts are decimal strings. */
export type EpochView = {
  epoch: number;
  status: EpochRow["status"];
  receiptCount: number;
  epochCharged: string;
  cumulativeCharged: string | null;
  cumulativeRewards: string | null;
  chargesRoot: Hex | null;
  rewardsRoot: Hex | null;
  receiptsRoot: Hex | null;
  bundleCid: string | null;
  bundleURI: string | null;
  digest: Hex | null;
  signatures: Hex[];
  signers: Address[];
  submitTx: Hex | null;
  challengeEndsAt: number | null;
  finalizeTx: Hex | null;
  createdAt: string;
  updatedAt: string;
  verification: unknown;
};

/** A signature of the report by one attestor. */
export type Attestation = { signer: Address; signature: Hex };

/** The URI a report names its bundle by; any node serves it at `GET /v1/bundles/<cid>`. */
export const bundleUriOf = (cid: string): string => `tributary://bundle/${cid}`;

/** The CID in a bundle URI, or undefined when the URI is not one of ours. */
export function cidOfBundleUri(uri: string): string | undefined {
  const m = /^tributary:\/\/bundle\/(b[a-z2-7]{58})$/.exec(uri);
  return m?.[1];
}

export function attestationsOf(row: EpochRow): Attestation[] {
  return JSON.parse(row.signatures) as Attestation[];
}

/** Row → API view. */
export function toEpochView(row: EpochRow): EpochView {
  const att = attestationsOf(row);
  return {
    epoch: row.epoch,
    status: row.status,
    receiptCount: row.receipt_count,
    epochCharged: row.epoch_charged,
    cumulativeCharged: row.cumulative_charged,
    cumulativeRewards: row.cumulative_rewards,
    chargesRoot: row.charges_root as Hex | null,
    rewardsRoot: row.rewards_root as Hex | null,
    receiptsRoot: row.receipts_root as Hex | null,
    bundleCid: row.bundle_cid,
    bundleURI: row.bundle_cid ? bundleUriOf(row.bundle_cid) : null,
    digest: row.digest as Hex | null,
    signatures: att.map((a) => a.signature),
    signers: att.map((a) => getAddress(a.signer)),
    submitTx: row.submit_tx as Hex | null,
    challengeEndsAt: row.challenge_ends_at,
    finalizeTx: row.finalize_tx as Hex | null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    verification: row.verification ? JSON.parse(row.verification) : null,
  };
}

export async function getEpochRow(ctx: NodeContext, epoch: number): Promise<EpochRow | undefined> {
  return ctx.db.selectFrom("epochs").selectAll().where("epoch", "=", epoch).executeTakeFirst();
}

export async function requireEpochRow(ctx: NodeContext, epoch: number): Promise<EpochRow> {
  const row = await getEpochRow(ctx, epoch);
  if (!row) {
    throw new ApiError(
      404,
      "EPOCH_NOT_FOUND",
      `this node has no epoch ${epoch}`,
      "List the epochs with GET /v1/epochs; epochs count reports from 1.",
    );
  }
  return row;
}

/** The newest epoch row, if any. */
export async function latestEpochRow(ctx: NodeContext): Promise<EpochRow | undefined> {
  return ctx.db.selectFrom("epochs").selectAll().orderBy("epoch", "desc").limit(1).executeTakeFirst();
}

/** The newest finalized epoch row, if any. */
export async function latestFinalizedRow(ctx: NodeContext): Promise<EpochRow | undefined> {
  return ctx.db
    .selectFrom("epochs")
    .selectAll()
    .where("status", "=", "finalized")
    .orderBy("epoch", "desc")
    .limit(1)
    .executeTakeFirst();
}

export async function updateEpoch(ctx: NodeContext, epoch: number, values: Partial<EpochRow>): Promise<void> {
  await ctx.db
    .updateTable("epochs")
    .set({ ...values, updated_at: new Date().toISOString() })
    .where("epoch", "=", epoch)
    .execute();
}

/** Cumulative leaves of one tree of an epoch, as a map (empty for epoch 0). */
export async function leavesOf(
  ctx: NodeContext,
  epoch: number,
  tree: "charges" | "rewards",
): Promise<Map<Address, bigint>> {
  const out = new Map<Address, bigint>();
  if (epoch === 0) return out;
  const rows = await ctx.db
    .selectFrom("epoch_leaves")
    .select(["account", "amount"])
    .where("epoch", "=", epoch)
    .where("tree", "=", tree)
    .execute();
  for (const r of rows) out.set(getAddress(r.account), BigInt(r.amount));
  return out;
}

/** Parses an epoch number from a path segment; 400 when it is not one. */
export function parseEpochParam(raw: string): number {
  if (!/^[1-9][0-9]{0,9}$/.test(raw)) {
    throw new ApiError(
      400,
      "INVALID_EPOCH",
      `'${raw}' is not an epoch number`,
      "Epochs are numbered from 1 (GET /v1/epochs lists them).",
    );
  }
  return Number(raw);
}

/**
 * The receipts an epoch took: those with `rowid` in `(from, to]`. An epoch is a contiguous range of the
 * receipts table (receipts are only ever appended), so a cut writes one row instead of updating every receipt,
 * and a vetoed epoch gives its receipts back by deleting that row.
 */
export async function receiptRange(
  ctx: Pick<NodeContext, "db">,
  epoch: number,
): Promise<{ from: number; to: number }> {
  const row = await ctx.db
    .selectFrom("epochs")
    .select(["last_rowid", "previous_epoch"])
    .where("epoch", "=", epoch)
    .executeTakeFirst();
  if (!row) return { from: 0, to: 0 };
  const previous = await ctx.db
    .selectFrom("epochs")
    .select("last_rowid")
    .where("epoch", "<", epoch)
    .orderBy("epoch", "desc")
    .limit(1)
    .executeTakeFirst();
  return { from: previous?.last_rowid ?? 0, to: row.last_rowid };
}

/** The highest receipt rowid any epoch took: receipts above it are not in an epoch yet. */
export async function settledUpTo(ctx: Pick<NodeContext, "db">): Promise<number> {
  const row = await ctx.db
    .selectFrom("epochs")
    .select((eb) => eb.fn.max("last_rowid").as("last"))
    .executeTakeFirst();
  return Number(row?.last ?? 0);
}

/** The epoch a receipt (by rowid) belongs to, or null; `ranges` from {@link epochRanges}. */
export function epochOfRowid(
  ranges: readonly { epoch: number; last_rowid: number }[],
  rowid: number,
): number | null {
  for (const r of ranges) if (rowid <= r.last_rowid) return r.epoch;
  return null;
}

/** Every epoch's last rowid, ascending. */
export async function epochRanges(
  ctx: Pick<NodeContext, "db">,
): Promise<{ epoch: number; last_rowid: number }[]> {
  return ctx.db.selectFrom("epochs").select(["epoch", "last_rowid"]).orderBy("epoch").execute();
}
