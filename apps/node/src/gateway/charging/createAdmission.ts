import { maxCharge } from "@tributary/core";
import { getDeposited, getWithdrawalRequestedAt, getWithdrawn } from "@tributary/sdk";
import type { Address } from "viem";
import { ApiError } from "../../api/ApiError.ts";
import { getPayerState, type PayerState } from "../../indexer/handlers/settlement.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import type { GatewayModel } from "../models/types.ts";
import { requireChain } from "../requireChain.ts";
import type { PayerTotals } from "./createPayerTotals.ts";
import { createKeyedLock } from "./withLock.ts";

/** Parameters of `admit`. */
export type AdmitParameters = { maxTokens: number; inputTokens: number; agentFeeBps?: number };

/** A request's reserved credit; `release` once its receipt is committed (or it failed). Idempotent. */
export type Reservation = { release(): void };

/** 402 `WITHDRAWAL_PENDING`: the payer asked to withdraw, so it is not served meanwhile. */
export function withdrawalPendingError(payer: Address): ApiError {
  return new ApiError(
    402,
    "WITHDRAWAL_PENDING",
    `payer ${payer} has requested a withdrawal; the gateway does not serve it meanwhile`,
    "Cancel the withdrawal request (Settlement.cancelWithdrawal) to be served again, or finish withdrawing.",
  );
}

/** 402 `INSUFFICIENT_CREDIT`: the payer's credit cannot cover the request's largest possible cost. */
export function insufficientCreditError(
  payer: Address,
  credit: bigint,
  need: bigint,
  agentFeeBps: number,
): ApiError {
  return new ApiError(
    402,
    "INSUFFICIENT_CREDIT",
    `payer ${payer} has ${credit < 0n ? 0n : credit} units of credit; this request may cost up to ${need}${agentFeeBps > 0 ? ` (agent fee of ${agentFeeBps} bps included)` : ""}`,
    "Deposit more tokens into Settlement (approveAndDeposit), or lower max_tokens.",
  );
}

/** What the node's projection says of a payer, and what a request needs. */
export type CreditCheck = {
  payer: Address;
  /** From the indexer's projection (may lag the chain). */
  deposited: bigint;
  withdrawn: bigint;
  pending: boolean;
  /** Charged by receipts, and held by requests in flight. */
  spent: bigint;
  held: bigint;
  need: bigint;
  agentFeeBps: number;
};

/**
 * Throws 402 unless the payer's credit (deposited − withdrawn − spent − held) covers `need` and no withdrawal is
 * pending. The projection may lag the chain (a deposit or a cancellation not indexed yet): when it says no, the
 * chain is read once. One check for the in-process admission (SQLite) and the held one (PostgreSQL replicas).
 */
export async function checkCredit(deps: GatewayDeps, c: CreditCheck): Promise<void> {
  let { deposited, withdrawn, pending } = c;
  if (pending || deposited - withdrawn - c.spent - c.held < c.need) {
    const { sdk } = requireChain(deps.ctx);
    deps.counters.chainReads++;
    const [d, w, r] = await Promise.all([
      getDeposited(sdk, { payer: c.payer }),
      getWithdrawn(sdk, { payer: c.payer }),
      getWithdrawalRequestedAt(sdk, { payer: c.payer }),
    ]);
    deposited = d;
    withdrawn = w;
    pending = r > 0n;
  }
  if (pending) throw withdrawalPendingError(c.payer);
  const credit = deposited - withdrawn - c.spent - c.held;
  if (credit < c.need) throw insufficientCreditError(c.payer, credit, c.need, c.agentFeeBps);
}

/**
 * Creates the admission of requests: refuses (402) a payer with a pending withdrawal or whose credit
 * (deposited − withdrawn − charged − reserved) cannot cover `maxCharge(pricing, maxTokens, inputTokens,
 * agentFeeBps)`; otherwise reserves that amount until `release`. Deposits come from the indexer's `payers`
 * projection; when it says no, the chain is read once.
 *
 * @example
 * const admit = createAdmission(deps, totals);
 * const reservation = await admit(payer, model, { maxTokens: 64, inputTokens: 12 });
 */
export function createAdmission(
  deps: GatewayDeps,
  totals: PayerTotals,
): (payer: Address, model: GatewayModel, params: AdmitParameters) => Promise<Reservation> {
  const { ctx, db } = deps;
  const reserved = new Map<string, bigint>();
  const withLock = createKeyedLock();
  const payerStates = new Map<string, { state: PayerState | undefined; revision: number }>();

  /**
   * The indexed payer state, kept until the indexer commits anything new (`indexer.revision()`), never by time:
   * a 1 s cache let a payer that had just withdrawn all its unspent credit be admitted again on a "yes" read
   * before its withdrawal (found by the property test, seed -1850653010). A refusal re-reads the chain, and the
   * projection always sees a withdrawal request before the withdrawal (Settlement's delay holds it back), so a
   * projection that lags by less than that delay never admits a payer beyond its credit.
   */
  async function indexedPayer(key: string): Promise<PayerState | undefined> {
    const indexer = ctx.chain?.indexer;
    const revision = indexer?.revision() ?? -1;
    const hit = payerStates.get(key);
    if (hit && indexer && hit.revision === revision) return hit.state;
    const state = await getPayerState(db, key as Address);
    payerStates.set(key, { state, revision });
    return state;
  }

  return (payer, model, { maxTokens, inputTokens, agentFeeBps = 0 }) => {
    const key = payer.toLowerCase();
    // One admission per payer at a time, and the reservations are read before the charges: a request that
    // settles meanwhile is counted either by its charge (committed before the read) or by its reservation
    // (released only after its commit and the in-memory total), so concurrent requests can never together
    // exceed the credit.
    return withLock(key, async () => {
      const held = reserved.get(key) ?? 0n;
      const need = maxCharge(model.pricing, maxTokens, inputTokens, agentFeeBps);
      const spent = await totals.chargedOf(key);
      const indexed = await indexedPayer(key);
      await checkCredit(deps, {
        payer,
        deposited: indexed?.deposited ?? 0n,
        withdrawn: indexed?.withdrawn ?? 0n,
        pending: (indexed?.withdrawalRequestedAt ?? 0) > 0,
        spent,
        held,
        need,
        agentFeeBps,
      });
      reserved.set(key, (reserved.get(key) ?? 0n) + need);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const left = (reserved.get(key) ?? 0n) - need;
          if (left > 0n) reserved.set(key, left);
          else reserved.delete(key);
        },
      };
    });
  };
}
