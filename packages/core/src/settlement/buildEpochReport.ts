import type { Address, Hex } from "viem";
import { checkAddress } from "./checks.ts";
import type { EpochAggregation } from "./createEpochAggregator.ts";
import { fail } from "./errors.ts";

/** The report Settlement's `submitEpoch` takes and attestors sign (EIP-712 `EpochReport`). */
export type EpochReport = {
  /** Sequence number of the report, from 1 (`uint64`). */
  readonly epoch: bigint;
  /** Root of the cumulative charges tree, leaves `(payer, cumulativeCharged)`. */
  readonly chargesRoot: Hex;
  /** Root of the cumulative rewards tree, leaves `(account, cumulativeAmount)`. */
  readonly rewardsRoot: Hex;
  /** Σ of all charges ever made. */
  readonly cumulativeCharged: bigint;
  /** Σ of all rewards ever earned; at most `cumulativeCharged`. */
  readonly cumulativeRewards: bigint;
  /** Root over the epoch's receipts in order. */
  readonly receiptsRoot: Hex;
  /** Where the epoch bundle can be downloaded. */
  readonly bundleURI: string;
};

/** Parameters of {@link buildEpochReport}. */
export type BuildEpochReportParameters = {
  readonly epoch: bigint;
  readonly aggregation: EpochAggregation;
  readonly bundleURI: string;
  /**
   * Every payer that ever deposited: each must have a leaf in the charges tree, or it could never withdraw.
   * Pass the same list to `aggregator.finish({ payers })`, which adds them with 0; here it is checked.
   */
  readonly payers?: Iterable<Address>;
};

const MAX_UINT64 = (1n << 64n) - 1n;

/**
 * The `EpochReport` of an aggregation, as Settlement's `submitEpoch` takes it and the SDK's
 * `signEpochReport` signs it.
 *
 * @throws {SettlementError} `INVALID_EPOCH` (not in [1, 2^64 − 1]), `REWARDS_EXCEED_CHARGES` (Settlement
 * would revert), `PAYER_NOT_IN_CHARGES` (a depositor without a charges leaf).
 * @example
 * const epoch = aggregator.finish({ payers });
 * const report = buildEpochReport({ epoch: 7n, aggregation: epoch, bundleURI: `ipfs://${cid}`, payers });
 */
export function buildEpochReport(parameters: BuildEpochReportParameters): EpochReport {
  const { epoch, aggregation, bundleURI } = parameters;
  if (typeof epoch !== "bigint" || epoch < 1n || epoch > MAX_UINT64) {
    fail("INVALID_EPOCH", `epoch ${String(epoch)} is not in [1, 2^64 - 1]`, "Epochs count reports from 1n.");
  }
  if (aggregation.cumulativeRewards > aggregation.cumulativeCharged) {
    fail(
      "REWARDS_EXCEED_CHARGES",
      `cumulative rewards ${aggregation.cumulativeRewards} exceed charges ${aggregation.cumulativeCharged}`,
      "The previous totals are inconsistent: load both from the same finalized report.",
    );
  }
  for (const payer of parameters.payers ?? []) {
    checkAddress("payer", payer);
    if (aggregation.chargesTree?.amountOf(payer) === undefined) {
      fail(
        "PAYER_NOT_IN_CHARGES",
        `payer ${payer} has no leaf in the charges tree and could never withdraw`,
        "Pass every depositor to aggregator.finish({ payers }).",
      );
    }
  }
  return {
    epoch,
    chargesRoot: aggregation.chargesRoot,
    rewardsRoot: aggregation.rewardsRoot,
    cumulativeCharged: aggregation.cumulativeCharged,
    cumulativeRewards: aggregation.cumulativeRewards,
    receiptsRoot: aggregation.receiptsRoot,
    bundleURI,
  };
}
