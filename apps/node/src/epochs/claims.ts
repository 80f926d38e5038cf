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
  skipped: { account: Address; reason: string }[];
};

/**
 * Claims for many accounts in one `claimMany` sent (and paid for) by the node: each account's proof comes
 * from the latest finalized rewards tree. Funds only ever go to each account, so anyone may relay. Accounts
 * without a leaf or with nothing left to claim are skipped (one such claim would revert the whole batch).
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
      skipped.push({ account, reason: `already claimed ${claimed}` });
      continue;
    }
    claims.push({ account, cumulativeAmount: leaf.cumulativeAmount, proof: leaf.proof });
  }
  if (claims.length === 0) return { txHash: null, total: 0n, paid: [], skipped };
  const result = await claimMany(chain.sdk, { claims });
  return { txHash: result.hash, total: result.total, paid: result.paid, skipped };
}
