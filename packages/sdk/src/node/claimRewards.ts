import type { Address } from "viem";
import { type ClaimManyReturnType, claimMany } from "../actions/settlement/claimMany.ts";
import { getClaimed } from "../actions/settlement/getClaimed.ts";
import type { TributaryClient } from "../client.ts";
import type { NodeClient } from "./createNodeClient.ts";

/**
 * Claims for `accounts` from your own wallet (you pay the gas; each account receives its own rewards): proofs
 * come from a node (`GET /v1/accounts/:a/proof`), the claim goes straight to Settlement. Accounts with
 * nothing left to claim are skipped, since one of them would revert the whole `claimMany`.
 *
 * @example
 * const node = createNodeClient({ baseUrl: "http://127.0.0.1:8787" });
 * const { paid } = await claimRewards(client, node, [myAddress]);
 */
export async function claimRewards(
  client: TributaryClient,
  node: Pick<NodeClient, "getProof">,
  accounts: readonly Address[],
): Promise<ClaimManyReturnType | { total: 0n; paid: []; hash: undefined }> {
  const claims = [];
  for (const account of accounts) {
    const proof = await node.getProof(account, "rewards");
    const cumulativeAmount = BigInt(proof.cumulativeAmount);
    if ((await getClaimed(client, { account })) >= cumulativeAmount) continue;
    claims.push({ account, cumulativeAmount, proof: proof.proof as `0x${string}`[] });
  }
  if (claims.length === 0) return { total: 0n, paid: [], hash: undefined };
  return claimMany(client, { claims });
}
