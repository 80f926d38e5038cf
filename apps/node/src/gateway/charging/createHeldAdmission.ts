import { randomUUID } from "node:crypto";
import { maxCharge } from "@tributary/core";
import { sql } from "kysely";
import type { Address } from "viem";
import { lockPayer } from "../../replicas/advisoryLocks.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import type { GatewayModel } from "../models/types.ts";
import { type AdmitParameters, checkCredit, type Reservation } from "./createAdmission.ts";

/**
 * How long a hold lasts when nobody releases it (its replica crashed): longer than any request may run (the
 * HTTP server's request timeout is 120 s; a stream is bounded by its tokens), short enough that a crash does not
 * freeze a payer's credit for long.
 */
export const HOLD_TTL_MS = 10 * 60_000;

type CreditRow = {
  deposited: string | null;
  withdrawn: string | null;
  requested: number | null;
  charged: string | null;
  held: string;
  lapsed: number;
};

/**
 * The admission of replicas sharing PostgreSQL: credit holds live in the database (`credit_holds`), so two
 * replicas behind a load balancer cannot together spend more than a payer deposited. Under the payer's
 * transaction advisory lock (`lockPayer`: admissions of one payer run one at a time on every replica) it reads,
 * in one statement (one snapshot), the payer's indexed deposit and withdrawals, its charged total and its open
 * holds; refuses (402) when deposited − withdrawn − charged − held < `maxCharge(...)` or a withdrawal is pending
 * (asking the chain once, as the SQLite admission does, when the projection says no); else inserts a hold of that
 * amount and commits. `release` deletes the hold; it is called after the receipt's transaction committed, so a
 * concurrent admission counts a settled request by its charge, its hold, or both (never neither). Holds of a
 * crashed replica lapse after {@link HOLD_TTL_MS}.
 *
 * @example
 * const admit = createHeldAdmission(deps);
 * const reservation = await admit(payer, model, { maxTokens: 64, inputTokens: 12 });
 */
export function createHeldAdmission(
  deps: GatewayDeps,
): (payer: Address, model: GatewayModel, params: AdmitParameters) => Promise<Reservation> {
  const { ctx, db } = deps;
  return async (payer, model, { maxTokens, inputTokens, agentFeeBps = 0 }) => {
    const key = payer.toLowerCase();
    const need = maxCharge(model.pricing, maxTokens, inputTokens, agentFeeBps);
    const id = randomUUID();
    await db.transaction().execute(async (trx) => {
      await lockPayer(trx, key);
      const now = Date.now();
      const { rows } = await sql<CreditRow>`
        select p.deposited, p.withdrawn, p.withdrawal_requested_at as requested,
          (select c.charged from payer_charges c where c.payer = ${key}) as charged,
          (select cast(coalesce(sum(cast(h.amount as numeric)), 0) as text) from credit_holds h
            where h.payer = ${key} and h.expires_at > ${now}) as held,
          (select count(*) from credit_holds h where h.payer = ${key} and h.expires_at <= ${now}) as lapsed
        from (select 1 as one) as one left join payers p on p.payer = ${key}`.execute(trx);
      const row = rows[0];
      // A crashed replica's holds: not counted once lapsed, deleted by the payer's next admission.
      if ((row?.lapsed ?? 0) > 0) {
        await trx
          .deleteFrom("credit_holds")
          .where("payer", "=", key)
          .where("expires_at", "<=", now)
          .execute();
      }
      await checkCredit(deps, {
        payer,
        deposited: BigInt(row?.deposited ?? 0),
        withdrawn: BigInt(row?.withdrawn ?? 0),
        pending: (row?.requested ?? 0) > 0,
        spent: BigInt(row?.charged ?? 0),
        held: BigInt(row?.held ?? 0),
        need,
        agentFeeBps,
      });
      await trx
        .insertInto("credit_holds")
        .values({
          id,
          payer: key,
          amount: need.toString(),
          expires_at: now + HOLD_TTL_MS,
          created_at: new Date(now).toISOString(),
        })
        .execute();
    });
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        // Without waiting for the WAL flush: a deletion lost in a database crash leaves a hold that lapses,
        // which only counts the payer's credit conservatively (one fsync less per request).
        db.transaction()
          .execute(async (trx) => {
            await sql`set local synchronous_commit = off`.execute(trx);
            await trx.deleteFrom("credit_holds").where("id", "=", id).execute();
          })
          .catch((error: unknown) =>
            ctx.log("warn", "credit hold not released; it lapses on its own", {
              hold: id,
              error: String(error),
            }),
          );
      },
    };
  };
}
