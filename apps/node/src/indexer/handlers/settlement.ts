import type { Kysely, Transaction } from "kysely";
import type { Address } from "viem";
import type { Database, PayerRow } from "../../db/schema.ts";
import type { IndexedLog, LogHandler } from "../types.ts";

const lower = (a: unknown) => (a as Address).toLowerCase();

/**
 * Applies `change` to the payer's row once: the row keeps the position (block, log index) of the last log
 * applied, and a log at or before it is skipped. Deposits and withdrawals are increments (the events carry
 * amounts, not totals), so this guard is what makes replaying a log harmless; a reorg empties the table and
 * replays every remaining log in chain order (`projectionTables`), which rebuilds exact totals.
 */
async function applyOnce(
  trx: Transaction<Database>,
  log: IndexedLog,
  change: (row: PayerRow) => Partial<PayerRow>,
): Promise<void> {
  const payer = lower(log.args.payer);
  const row: PayerRow = (await trx
    .selectFrom("payers")
    .selectAll()
    .where("payer", "=", payer)
    .executeTakeFirst()) ?? {
    payer,
    deposited: "0",
    withdrawn: "0",
    withdrawal_requested_at: 0,
    withdrawal_available_at: 0,
    updated_block: -1,
    updated_log_index: -1,
  };
  if (
    row.updated_block > log.blockNumber ||
    (row.updated_block === log.blockNumber && row.updated_log_index >= log.logIndex)
  )
    return;
  const next: PayerRow = {
    ...row,
    ...change(row),
    updated_block: log.blockNumber,
    updated_log_index: log.logIndex,
  };
  await trx
    .insertInto("payers")
    .values(next)
    .onConflict((oc) => oc.column("payer").doUpdateSet(next))
    .execute();
}

/**
 * Projections of Settlement's payer events into `payers` (deposited, withdrawn, pending withdrawal request),
 * which the gateway admits requests from:
 *
 * - `Deposited(payer, from, amount)`: `deposited += amount`;
 * - `WithdrawalRequested(payer, requestedAt, availableAt)`: the request's times;
 * - `WithdrawalCancelled(payer)`: no pending request;
 * - `Withdrawn(payer, epoch, amount, cumulativeCharged)`: `withdrawn += amount`, no pending request (the
 *   contract deletes it).
 */
export const settlementHandlers: Record<string, LogHandler> = {
  Deposited: (trx, log) =>
    applyOnce(trx, log, (row) => ({
      deposited: (BigInt(row.deposited) + (log.args.amount as bigint)).toString(),
    })),
  WithdrawalRequested: (trx, log) =>
    applyOnce(trx, log, () => ({
      withdrawal_requested_at: Number(log.args.requestedAt as bigint),
      withdrawal_available_at: Number(log.args.availableAt as bigint),
    })),
  WithdrawalCancelled: (trx, log) =>
    applyOnce(trx, log, () => ({ withdrawal_requested_at: 0, withdrawal_available_at: 0 })),
  Withdrawn: (trx, log) =>
    applyOnce(trx, log, (row) => ({
      withdrawn: (BigInt(row.withdrawn) + (log.args.amount as bigint)).toString(),
      withdrawal_requested_at: 0,
      withdrawal_available_at: 0,
    })),
};

/** A payer as the `payers` projection holds it (amounts exact). */
export type PayerState = {
  payer: Address;
  deposited: bigint;
  withdrawn: bigint;
  /** Unix seconds; 0 when no withdrawal is pending. */
  withdrawalRequestedAt: number;
  withdrawalAvailableAt: number;
  /** Block of the last event applied. */
  updatedBlock: number;
};

const toState = (r: PayerRow): PayerState => ({
  payer: r.payer as Address,
  deposited: BigInt(r.deposited),
  withdrawn: BigInt(r.withdrawn),
  withdrawalRequestedAt: r.withdrawal_requested_at,
  withdrawalAvailableAt: r.withdrawal_available_at,
  updatedBlock: r.updated_block,
});

/**
 * Every payer that ever deposited (or has any Settlement payer event indexed), ordered by address, as the
 * indexer has seen them. The epoch close uses it to include every payer in the charges tree.
 *
 * @example
 * for (const p of await listPayers(db)) console.log(p.payer, p.deposited - p.withdrawn);
 */
export async function listPayers(db: Kysely<Database>): Promise<PayerState[]> {
  const rows = await db.selectFrom("payers").selectAll().orderBy("payer").execute();
  return rows.map(toState);
}

/**
 * One payer's indexed state, or undefined when the indexer has seen no event of it.
 *
 * @example
 * const state = await getPayerState(db, "0xabc…");
 */
export async function getPayerState(db: Kysely<Database>, payer: Address): Promise<PayerState | undefined> {
  const row = await db
    .selectFrom("payers")
    .selectAll()
    .where("payer", "=", payer.toLowerCase())
    .executeTakeFirst();
  return row ? toState(row) : undefined;
}
