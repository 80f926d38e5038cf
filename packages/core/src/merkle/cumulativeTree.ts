import { type Address, getAddress, type Hex } from "viem";
import { createStandardMerkleTree, type StandardMerkleTree } from "./createStandardMerkleTree.ts";

/** Leaf shape of both settlement trees: `(address account, uint256 cumulativeAmount)`. */
export const cumulativeLeafTypes = ["address", "uint256"] as const;

/** One account's cumulative total (all epochs so far), as bigint base units. */
export type CumulativeEntry = { account: Address; amount: bigint };

/** A cumulative charges or rewards tree, looked up by account. */
export type CumulativeTree = {
  root: Hex;
  entries: readonly CumulativeEntry[];
  /** Sum of all amounts, the figure a report carries as cumulativeCharged / cumulativeRewards. */
  total: bigint;
  amountOf(account: Address): bigint | undefined;
  proofOf(account: Address): Hex[];
  tree: StandardMerkleTree<readonly [Address, bigint]>;
};

/**
 * Builds the tree Settlement verifies claims (rewards) and withdrawals (charges) against. Entries are
 * put in a canonical order (by checksummed address) so that every node builds the same tree from the
 * same totals; duplicate accounts and negative amounts are refused.
 *
 * @example
 * const tree = buildCumulativeTree([{ account: alice, amount: 10n }]);
 * await claim(client, { account: alice, cumulativeAmount: 10n, proof: tree.proofOf(alice) });
 */
export function buildCumulativeTree(entries: readonly CumulativeEntry[]): CumulativeTree {
  const normalized = entries.map((e) => ({ account: getAddress(e.account), amount: e.amount }));
  normalized.sort((a, b) => (a.account.toLowerCase() < b.account.toLowerCase() ? -1 : 1));
  const index = new Map<string, number>();
  let total = 0n;
  normalized.forEach((e, i) => {
    if (e.amount < 0n) throw new Error(`negative cumulative amount for ${e.account}`);
    const key = e.account.toLowerCase();
    if (index.has(key)) throw new Error(`duplicate account ${e.account} in a cumulative tree`);
    index.set(key, i);
    total += e.amount;
  });
  const tree = createStandardMerkleTree<readonly [Address, bigint]>(
    cumulativeLeafTypes,
    normalized.map((e) => [e.account, e.amount] as const),
  );
  const find = (account: Address) => index.get(account.toLowerCase());
  return {
    root: tree.root,
    entries: normalized,
    total,
    tree,
    amountOf: (account) => {
      const i = find(account);
      return i === undefined ? undefined : normalized[i]!.amount;
    },
    proofOf: (account) => {
      const i = find(account);
      if (i === undefined) throw new Error(`${account} is not in this tree`);
      return tree.proof(i);
    },
  };
}
