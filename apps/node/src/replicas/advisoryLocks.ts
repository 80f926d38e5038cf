import { type Kysely, sql } from "kysely";
import type { Database } from "../db/schema.ts";

/** First key of every advisory lock the node takes ("trib"), so they never collide with another application's. */
export const LOCK_CLASS = 0x74726962;

/** Second keys of the node's advisory locks (with {@link LOCK_CLASS}). */
export const LOCKS = {
  /** Session lock of the indexer's leader: the one replica that polls the chain. */
  indexerLeader: 1,
  /** Session lock of the epoch closer's leader: the one replica that resumes, closes and finalizes epochs. */
  epochLeader: 2,
  /** Transaction lock of every indexer write (a follower's `syncOnce` and the leader's loop never interleave). */
  indexerWrite: 3,
} as const;

/** Which leader a replica may be. */
export type LeaderRole = "indexer" | "epochs";

/**
 * Takes the transaction-level advisory lock of the indexer's writes (PostgreSQL; released at commit).
 *
 * @example
 * await db.transaction().execute(async (trx) => { await lockIndexerWrites(trx); ... });
 */
export async function lockIndexerWrites(trx: Kysely<Database>): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOCK_CLASS}::int, ${LOCKS.indexerWrite}::int)`.execute(trx);
}

/**
 * Takes the transaction-level advisory lock of one payer's credit (PostgreSQL; released at commit): admissions of
 * the same payer on every replica run one at a time. Keyed by `hashtext(payer)` in its own class, so a hash
 * collision only serializes two payers, never mixes their amounts.
 *
 * @example
 * await lockPayer(trx, payer.toLowerCase());
 */
export async function lockPayer(trx: Kysely<Database>, payer: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(${LOCK_CLASS + 1}::int, hashtext(${payer}))`.execute(trx);
}
