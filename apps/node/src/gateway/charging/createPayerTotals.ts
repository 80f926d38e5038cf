import type { Kysely } from "kysely";
import type { Address } from "viem";
import type { Database } from "../../db/schema.ts";

/** Each payer's charged total: in memory after the first read, updated by the receipt writer after each commit. */
export type PayerTotals = {
  /** Sum of every receipt charged to `payer` (exact, from the database). */
  chargedSoFar(payer: Address): Promise<bigint>;
  /** The payer's charges (lowercase address): the in-memory total, else the database. */
  chargedOf(key: string): Promise<bigint>;
  /** Called with the new totals once a receipt batch has committed. */
  onCommitted(totals: ReadonlyMap<string, bigint>): void;
  /** Drops the in-memory totals of `payers` (lowercase) after the database changed them: read again on next use. */
  forget(payers: readonly string[]): void;
};

/**
 * Creates the payers' charged totals over `payer_charges`; `cache: false` (replicas on PostgreSQL) always reads
 * the database.
 *
 * @example
 * const totals = createPayerTotals(db);
 * const spent = await totals.chargedOf(payer.toLowerCase());
 */
export function createPayerTotals(db: Kysely<Database>, options: { cache?: boolean } = {}): PayerTotals {
  const charged = new Map<string, bigint>();

  async function chargedSoFar(payer: Address): Promise<bigint> {
    const row = await db
      .selectFrom("payer_charges")
      .select("charged")
      .where("payer", "=", payer.toLowerCase())
      .executeTakeFirst();
    return row ? BigInt(row.charged) : 0n;
  }

  return {
    chargedSoFar,
    async chargedOf(key) {
      // Replicas (PostgreSQL): another process charges the same payers, so the database is the only total.
      if (options.cache === false) return chargedSoFar(key as Address);
      const hit = charged.get(key);
      if (hit !== undefined) return hit;
      const value = await chargedSoFar(key as Address);
      // A batch that committed meanwhile has set the total: it is the newer one. Otherwise the value read is
      // current, or older only by receipts whose reservations are still held (released after the total is set).
      const now = charged.get(key);
      if (now !== undefined) return now;
      charged.set(key, value);
      return value;
    },
    onCommitted(totals) {
      for (const [payer, total] of totals) charged.set(payer, total);
    },
    forget(payers) {
      for (const payer of payers) charged.delete(payer.toLowerCase());
    },
  };
}
