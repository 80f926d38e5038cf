import { claimMany, getClaimed } from "@tributary/sdk";
import { type Address, getAddress, type Hex } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { ChainContext } from "../context/NodeContext.ts";
import type { ProofService } from "./proofs.ts";

/** Result of {@link relayClaims}. */
export type RelayedClaims = {
  txHash: Hex | null;
  total: bigint;
  paid: { account: Address; amount: bigint }[];
  /** Accounts left out, each with why; `claimed` (what it already claimed) when that is the reason. */
  skipped: { account: Address; reason: string; claimed?: bigint }[];
};

/**
 * Claims for many accounts in one `claimMany` sent (and paid for) by the node: each account's proof comes
 * from the latest finalized rewards tree. Funds only ever go to each account, so anyone may relay. Accounts
 * without a leaf or with nothing left to claim are skipped (one such claim would revert the whole batch).
 * A batch that reverts because an account was claimed meanwhile (by someone else, straight on chain) is a
 * 409 `ALREADY_CLAIMED` naming the account and the amount it has claimed, not a 500.
 */
export async function relayClaims(
  chain: ChainContext,
  proofs: ProofService,
  accounts: readonly Address[],
): Promise<RelayedClaims> {
  const skipped: RelayedClaims["skipped"] = [];
  const claims: { account: Address; cumulativeAmount: bigint; proof: Hex[] }[] = [];
  const seen = new Set<string>();
  for (const raw of accounts) {
    const account = getAddress(raw);
    if (seen.has(account)) continue;
    seen.add(account);
    let leaf: Awaited<ReturnType<ProofService["proofOf"]>>;
    try {
      leaf = await proofs.proofOf(account, "rewards");
    } catch (error) {
      if (error instanceof ApiError && error.code === "NO_LEAF") {
        skipped.push({ account, reason: "no rewards in the latest finalized epoch" });
        continue;
      }
      throw error;
    }
    const claimed = await getClaimed(chain.sdk, { account });
    if (claimed >= leaf.cumulativeAmount) {
      skipped.push({
        account,
        reason: `already claimed ${claimed} (base units), all its latest finalized report pays`,
        claimed,
      });
      continue;
    }
    claims.push({ account, cumulativeAmount: leaf.cumulativeAmount, proof: leaf.proof });
  }
  if (claims.length === 0) return { txHash: null, total: 0n, paid: [], skipped };
  let result: Awaited<ReturnType<typeof claimMany>>;
  try {
    result = await claimMany(chain.sdk, { claims });
  } catch (error) {
    for (const c of claims) {
      const claimed = await getClaimed(chain.sdk, { account: c.account }).catch(() => undefined);
      if (claimed !== undefined && claimed >= c.cumulativeAmount) {
        throw new ApiError(
          409,
          "ALREADY_CLAIMED",
          `${c.account} has already claimed up to ${claimed} (its rewards in the latest finalized epoch: ${c.cumulativeAmount}); nothing was sent`,
          "Nothing is left to claim for this account until the next epoch is finalized; check GET /v1/accounts/<address>/earnings.",
          { cause: error },
        );
      }
    }
    throw error;
  }
  return { txHash: result.hash, total: result.total, paid: result.paid, skipped };
}

/** Relays claims one batch at a time and refuses a second claim for an account whose claim is in flight. */
export type ClaimRelayer = {
  relay(chain: ChainContext, proofs: ProofService, accounts: readonly Address[]): Promise<RelayedClaims>;
};

/**
 * Serializes {@link relayClaims}: concurrent `POST /v1/claims` used to read the same `claimed` amounts, race
 * for the node's nonce and fail with 500 `INTERNAL`. Now a request naming an account that another request is
 * claiming for gets 409 `CLAIM_IN_FLIGHT` at once (nothing sent); requests for other accounts wait their turn,
 * then see what the previous batch paid (skipped as already claimed).
 *
 * @example
 * const claims = createClaimRelayer();
 * await claims.relay(chain, proofs, [account]);
 */
export function createClaimRelayer(): ClaimRelayer {
  const inFlight = new Set<string>();
  let tail: Promise<unknown> = Promise.resolve();
  return {
    async relay(chain, proofs, accounts) {
      const keys = [...new Set(accounts.map((a) => getAddress(a)))];
      const busy = keys.find((k) => inFlight.has(k));
      if (busy) {
        throw new ApiError(
          409,
          "CLAIM_IN_FLIGHT",
          `a claim for ${busy} is already in flight on this node; this request sent nothing`,
          "Wait for the other claim to finish (a few seconds), then check GET /v1/accounts/<address>/earnings before claiming again.",
        );
      }
      for (const k of keys) inFlight.add(k);
      const turn = tail.then(() => relayClaims(chain, proofs, keys));
      tail = turn.catch(() => undefined);
      try {
        return await turn;
      } finally {
        for (const k of keys) inFlight.delete(k);
      }
    },
  };
}
