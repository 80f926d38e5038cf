import type { Address, Hex } from "viem";
import { buildCumulativeTree, type CumulativeTree } from "../merkle/index.ts";
import { checkAddress } from "./checks.ts";
import { fail } from "./errors.ts";
import type { Receipt } from "./receipt.ts";
import { receiptHash } from "./receiptHash.ts";
import { createReceiptsRootBuilder } from "./receiptsRoot.ts";
import type { CumulativeTotals } from "./types.ts";

/** Root used for a tree without any leaf (no account ever charged or rewarded). */
export const EMPTY_TREE_ROOT: Hex = `0x${"00".repeat(32)}`;

/** Parameters of {@link createEpochAggregator}. */
export type CreateEpochAggregatorParameters = {
  /** Cumulative totals after the previous epoch (the previous aggregation's `charges` and `rewards`). */
  readonly previous?: CumulativeTotals;
};

/** Options of {@link EpochAggregator.finish}. */
export type FinishEpochOptions = {
  /**
   * Every payer that ever deposited. Each gets a charges leaf (amount 0 when never charged), since Settlement
   * can only let a payer withdraw against a leaf (a Merkle tree cannot prove absence).
   */
  readonly payers?: Iterable<Address>;
};

/** The result of an epoch: cumulative totals, both trees, the receipts root and the epoch's own sums. */
export type EpochAggregation = {
  /** Cumulative charge per payer (checksummed addresses, ascending by address). */
  readonly charges: ReadonlyMap<Address, bigint>;
  /** Cumulative reward per account (checksummed addresses, ascending by address). */
  readonly rewards: ReadonlyMap<Address, bigint>;
  /** Tree of `charges`; undefined when it has no leaf (root {@link EMPTY_TREE_ROOT}). */
  readonly chargesTree: CumulativeTree | undefined;
  /** Tree of `rewards`; undefined when it has no leaf (root {@link EMPTY_TREE_ROOT}). */
  readonly rewardsTree: CumulativeTree | undefined;
  readonly chargesRoot: Hex;
  readonly rewardsRoot: Hex;
  /** Σ charges, equal to the charges tree's total. */
  readonly cumulativeCharged: bigint;
  /** Σ rewards, equal to the rewards tree's total. */
  readonly cumulativeRewards: bigint;
  /** Root over this epoch's receipts in the order they were added (see `createReceiptsRootBuilder`). */
  readonly receiptsRoot: Hex;
  readonly receiptCount: number;
  /** Σ charged of this epoch's receipts. */
  readonly epochCharged: bigint;
  /** Σ parts of this epoch's receipts; always equal to `epochCharged`. */
  readonly epochRewards: bigint;
};

/** What the aggregator reads of a receipt: who pays, how much, and who is credited. */
export type ReceiptMoney = Pick<Receipt, "id" | "payer" | "price" | "agentFee" | "charged" | "parts">;

/** A streaming epoch aggregator (see {@link createEpochAggregator}). */
export type EpochAggregator = {
  /**
   * Adds the next receipt. Pass its hash when it is already known (the node computed it to sign), which
   * skips re-serializing the receipt; it is trusted here and recomputed by `verifyEpoch`.
   */
  add(receipt: Receipt, receiptHash?: Hex): void;
  /** Adds the money of the next receipt, when only that was decoded (its hash is then required). */
  add(receipt: ReceiptMoney, receiptHash: Hex): void;
  /** Cumulative charge of `payer` so far (previous epochs and the receipts added). */
  chargedOf(payer: Address): bigint;
  /**
   * True when charging `amount` more keeps `payer`'s cumulative charge within `deposited` (the payer's
   * deposits minus withdrawals on chain): the check that keeps every report backed (`C ≤ D − W`).
   */
  canCharge(payer: Address, amount: bigint, deposited: bigint): boolean;
  /** Number of receipts added. */
  readonly receiptCount: number;
  /** Builds the totals and trees. The aggregator accepts no receipt afterwards. */
  finish(options?: FinishEpochOptions): EpochAggregation;
};

function loadTotals(name: string, source: ReadonlyMap<Address, bigint> | undefined): Map<string, bigint> {
  const out = new Map<string, bigint>();
  if (source === undefined) return out;
  for (const [account, amount] of source) {
    checkAddress(`${name} account`, account);
    if (typeof amount !== "bigint" || amount < 0n) {
      fail(
        "INVALID_AMOUNT",
        `${name} of ${account} is ${String(amount)}`,
        "Cumulative totals are bigints >= 0.",
      );
    }
    const key = account.toLowerCase();
    if (out.has(key)) {
      fail("DUPLICATE_ACCOUNT", `${account} appears twice in previous ${name}`, "Give each account once.");
    }
    out.set(key, amount);
  }
  return out;
}

function mergeCase(totals: Map<string, bigint>): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const [account, amount] of totals) {
    const key = account.toLowerCase();
    out.set(key, (out.get(key) ?? 0n) + amount);
  }
  return out;
}

function finishTotals(totals: Map<string, bigint>): {
  map: Map<Address, bigint>;
  tree: CumulativeTree | undefined;
  total: bigint;
} {
  if (totals.size === 0) return { map: new Map(), tree: undefined, total: 0n };
  const tree = buildCumulativeTree([...totals].map(([key, amount]) => ({ account: key as Address, amount })));
  const map = new Map<Address, bigint>();
  for (const e of tree.entries) map.set(e.account, e.amount);
  return { map, tree, total: tree.total };
}

/**
 * Aggregates an epoch's receipts into cumulative charges per payer and rewards per account, streaming:
 * memory grows with the number of distinct accounts, not receipts (the receipts root is built with
 * O(log n) hashes). Each receipt is checked to balance (`Σ parts = charged = price + agentFee`, no negative
 * amount); an unbalanced one is a bug upstream and throws `RECEIPT_UNBALANCED`.
 *
 * @throws {SettlementError} `RECEIPT_UNBALANCED`, `INVALID_AMOUNT`, `DUPLICATE_ACCOUNT`, `AGGREGATOR_FINISHED`.
 * @example
 * const aggregator = createEpochAggregator({ previous: { charges, rewards } });
 * for (const { receipt, hash } of receipts) {
 *   aggregator.add(receipt, hash);
 * }
 * const epoch = aggregator.finish({ payers: everyDepositor });
 * epoch.rewardsTree?.proofOf(alice);
 */
export function createEpochAggregator(parameters: CreateEpochAggregatorParameters = {}): EpochAggregator {
  const charges = loadTotals("charges", parameters.previous?.charges);
  const rewards = loadTotals("rewards", parameters.previous?.rewards);
  const roots = createReceiptsRootBuilder();
  let epochCharged = 0n;
  let epochRewards = 0n;
  let finished = false;

  return {
    add(receipt: Receipt | ReceiptMoney, hash?: Hex) {
      if (finished)
        fail("AGGREGATOR_FINISHED", "add after finish", "Create a new aggregator for the next epoch.");
      const charged = receipt.charged;
      if (typeof charged !== "bigint" || charged < 0n || charged !== receipt.price + receipt.agentFee) {
        fail(
          "RECEIPT_UNBALANCED",
          `receipt ${receipt.id}: charged ${charged} is not price ${receipt.price} + agentFee ${receipt.agentFee}`,
          "Build receipts from splitFee's result.",
        );
      }
      let sum = 0n;
      for (const part of receipt.parts) {
        if (part.amount < 0n) {
          fail(
            "RECEIPT_UNBALANCED",
            `receipt ${receipt.id}: negative part ${part.amount}`,
            "Use splitFee's parts.",
          );
        }
        sum += part.amount;
      }
      if (sum !== charged) {
        fail(
          "RECEIPT_UNBALANCED",
          `receipt ${receipt.id}: parts sum to ${sum}, charged is ${charged}`,
          "Use splitFee's parts unchanged.",
        );
      }
      roots.push(hash ?? receiptHash(receipt as Receipt));
      const payer = receipt.payer.toLowerCase();
      charges.set(payer, (charges.get(payer) ?? 0n) + charged);
      // Rewards are keyed by the address as written (no lower-casing per part); letter-case variants of one
      // account are merged in finish().
      for (const part of receipt.parts) {
        if (part.amount === 0n) continue;
        rewards.set(part.account, (rewards.get(part.account) ?? 0n) + part.amount);
      }
      epochCharged += charged;
      epochRewards += sum;
    },
    chargedOf(payer) {
      return charges.get(payer.toLowerCase()) ?? 0n;
    },
    canCharge(payer, amount, deposited) {
      if (amount < 0n) fail("INVALID_AMOUNT", `cannot charge a negative ${amount}`, "Charge amounts >= 0.");
      return (charges.get(payer.toLowerCase()) ?? 0n) + amount <= deposited;
    },
    get receiptCount() {
      return roots.count;
    },
    finish(options = {}) {
      if (finished) fail("AGGREGATOR_FINISHED", "finish called twice", "Keep the first result.");
      finished = true;
      for (const payer of options.payers ?? []) {
        checkAddress("payer", payer);
        const key = payer.toLowerCase();
        if (!charges.has(key)) charges.set(key, 0n);
      }
      const c = finishTotals(charges);
      const r = finishTotals(mergeCase(rewards));
      return {
        charges: c.map,
        rewards: r.map,
        chargesTree: c.tree,
        rewardsTree: r.tree,
        chargesRoot: c.tree?.root ?? EMPTY_TREE_ROOT,
        rewardsRoot: r.tree?.root ?? EMPTY_TREE_ROOT,
        cumulativeCharged: c.total,
        cumulativeRewards: r.total,
        receiptsRoot: roots.root(),
        receiptCount: roots.count,
        epochCharged,
        epochRewards,
      };
    },
  };
}
