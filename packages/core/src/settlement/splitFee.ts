import type { Address } from "viem";
import { PPM_TOTAL } from "../attribution/partsPerMillion.ts";
import { BPS_TOTAL, checkAddress, checkAmount, checkBps } from "./checks.ts";
import { fail } from "./errors.ts";
import { type Claimant, largestRemainder } from "./largestRemainder.ts";
import type { ContributionPayout, ContributionShare, FallbackContribution, FeePart, Split } from "./types.ts";

/** Parameters of {@link splitFee}. */
export type SplitFeeParameters = {
  /** Model price of the inference (see `computePrice`). */
  readonly price: bigint;
  /** Settlement's protocol fee, taken from the price. */
  readonly protocolFeeBps: number;
  /** The calling agent's fee, charged on top of the price (AgentRegistry); 0 or absent without an agent. */
  readonly agentFeeBps?: number;
  /** The model's split of the price after the protocol fee; `ownerBps + dataBps === 10000`. */
  readonly split: Split;
  /** The output's attribution: ppm per contribution summing to 1,000,000, or empty when nothing matched. */
  readonly attribution: readonly ContributionShare[];
  /** Payout address of every contribution that can be paid (attributed or fallback). */
  readonly contributions: ReadonlyMap<bigint, ContributionPayout>;
  /** Contributions of the model's trained-on versions, for outputs without attribution. */
  readonly fallback: readonly FallbackContribution[];
  /** Settlement's treasury (receives the protocol part). */
  readonly treasury: Address;
  /** The model owner. */
  readonly owner: Address;
  /** The agent operator; required when `agentFeeBps > 0`. */
  readonly agentOperator?: Address;
};

/** Result of {@link splitFee}. */
export type SplitFeeReturnType = {
  /** What the payer is charged: `price + agentFee`. */
  readonly charged: bigint;
  /** `floor(price × agentFeeBps / 10000)`. */
  readonly agentFee: bigint;
  /**
   * Non-zero parts in canonical order: protocol, owner, agent, then contributors by ascending contribution
   * id. They sum to exactly `charged`.
   */
  readonly parts: readonly FeePart[];
};

function checkAttribution(attribution: readonly ContributionShare[]): void {
  let sum = 0;
  const seen = new Set<bigint>();
  for (const s of attribution) {
    if (typeof s.contributionId !== "bigint" || s.contributionId < 0n) {
      fail(
        "INVALID_ATTRIBUTION",
        `contribution id ${String(s.contributionId)} is not a bigint >= 0`,
        "Use bigint ids.",
      );
    }
    if (!Number.isInteger(s.ppm) || s.ppm < 0 || s.ppm > PPM_TOTAL) {
      fail(
        "INVALID_ATTRIBUTION",
        `ppm ${s.ppm} of contribution ${s.contributionId} is not in [0, 1000000]`,
        "Pass integer ppm.",
      );
    }
    if (seen.has(s.contributionId)) {
      fail(
        "INVALID_ATTRIBUTION",
        `contribution ${s.contributionId} appears twice in the attribution`,
        "Merge its shares.",
      );
    }
    seen.add(s.contributionId);
    sum += s.ppm;
  }
  if (attribution.length > 0 && sum !== PPM_TOTAL) {
    fail(
      "INVALID_ATTRIBUTION",
      `attribution sums to ${sum} ppm, not 1000000`,
      "Pass the attribution engine's shares unchanged (they sum to 1,000,000), or [] when nothing is attributed.",
    );
  }
}

function fallbackClaimants(fallback: readonly FallbackContribution[]): Claimant[] {
  const seen = new Set<bigint>();
  return fallback.map((f) => {
    if (typeof f.contributionId !== "bigint" || f.contributionId < 0n || seen.has(f.contributionId)) {
      fail(
        "INVALID_FALLBACK",
        `fallback contribution ${String(f.contributionId)} is invalid or repeated`,
        "List each contribution once.",
      );
    }
    if (!Number.isSafeInteger(f.tokens) || f.tokens < 0) {
      fail(
        "INVALID_FALLBACK",
        `fallback contribution ${f.contributionId} has ${f.tokens} tokens`,
        "Token counts are integers >= 0.",
      );
    }
    seen.add(f.contributionId);
    return { key: f.contributionId, weight: BigInt(f.tokens) };
  });
}

/**
 * Splits an inference fee between protocol, model owner, agent operator and data contributors, exactly in
 * bigint (docs/settlement-core.md, "Fee split"):
 *
 * - `agentFee = floor(price × agentFeeBps / 10000)`, **on top of** the price: `charged = price + agentFee`;
 * - `protocol = floor(price × protocolFeeBps / 10000)`;
 * - `owner = floor((price − protocol) × ownerBps / 10000)`, `data = price − protocol − owner` (the owner
 *   part is floored and the data part takes the remainder, so nothing is lost);
 * - `data` is split by the attribution's ppm with the largest-remainder method (ties to the smaller
 *   contribution id); without attribution, by the fallback contributions' token counts (also largest
 *   remainder); with neither (no fallback, or all of zero tokens), it goes to the owner.
 *
 * Parts of amount 0 are left out; contributor parts keep their `contributionId` (several contributions with
 * one payout address give several parts; the epoch aggregator sums them per account). The parts always sum
 * to `charged`, and the same input gives the same parts in the same order.
 *
 * @throws {SettlementError} on inputs that can never be valid: `INVALID_AMOUNT` (negative price),
 * `INVALID_BPS`, `INVALID_SPLIT` (ownerBps + dataBps ≠ 10000), `INVALID_ATTRIBUTION` (ppm not summing to
 * 1,000,000, repeated ids), `INVALID_FALLBACK`, `UNKNOWN_CONTRIBUTION` (no payout for a paid contribution),
 * `MISSING_AGENT_OPERATOR`, `INVALID_ADDRESS`.
 * @example
 * const { charged, parts } = splitFee({
 *   price: 1_000n, protocolFeeBps: 500, agentFeeBps: 1_000, split: { ownerBps: 3_000, dataBps: 7_000 },
 *   attribution: [{ contributionId: 1n, ppm: 600_000 }, { contributionId: 2n, ppm: 400_000 }],
 *   contributions: new Map([[1n, { payout: alice }], [2n, { payout: bob }]]), fallback: [],
 *   treasury, owner, agentOperator,
 * });
 * // charged 1100n; protocol 50n, owner 285n, agent 100n, contributor 1 399n, contributor 2 266n
 */
export function splitFee(parameters: SplitFeeParameters): SplitFeeReturnType {
  const { price, protocolFeeBps, split, attribution, contributions, fallback, treasury, owner } = parameters;
  const agentFeeBps = parameters.agentFeeBps ?? 0;
  checkAmount("price", price);
  checkBps("protocolFeeBps", protocolFeeBps);
  checkBps("agentFeeBps", agentFeeBps);
  checkBps("split.ownerBps", split.ownerBps);
  checkBps("split.dataBps", split.dataBps);
  if (split.ownerBps + split.dataBps !== BPS_TOTAL) {
    fail(
      "INVALID_SPLIT",
      `split ownerBps ${split.ownerBps} + dataBps ${split.dataBps} is not 10000`,
      "Use the model's split as ModelRegistry stores it (it enforces a sum of exactly 10000).",
    );
  }
  checkAddress("treasury", treasury);
  checkAddress("owner", owner);
  if (parameters.agentOperator !== undefined) checkAddress("agentOperator", parameters.agentOperator);
  if (agentFeeBps > 0 && parameters.agentOperator === undefined) {
    fail(
      "MISSING_AGENT_OPERATOR",
      `agentFeeBps is ${agentFeeBps} but no agentOperator`,
      "Pass the agent's operator.",
    );
  }
  checkAttribution(attribution);

  const bps = BigInt(BPS_TOTAL);
  const agentFee = (price * BigInt(agentFeeBps)) / bps;
  const protocol = (price * BigInt(protocolFeeBps)) / bps;
  const rest = price - protocol;
  let ownerAmount = (rest * BigInt(split.ownerBps)) / bps;
  const data = rest - ownerAmount;

  let claimants: Claimant[];
  if (attribution.length > 0) {
    claimants = attribution.map((s) => ({ key: s.contributionId, weight: BigInt(s.ppm) }));
  } else {
    claimants = fallbackClaimants(fallback);
    if (!claimants.some((c) => c.weight > 0n)) claimants = [];
  }
  const contributorParts: FeePart[] = [];
  if (claimants.length === 0) {
    ownerAmount += data;
  } else {
    const amounts = largestRemainder(data, claimants);
    claimants.forEach((c, i) => {
      const amount = amounts[i]!;
      if (amount === 0n) return;
      const payout = contributions.get(c.key)?.payout;
      if (payout === undefined) {
        fail(
          "UNKNOWN_CONTRIBUTION",
          `contribution ${c.key} is paid ${amount} but has no payout address`,
          "Put every attributed and trained-on contribution in `contributions` (from the indexer).",
        );
      }
      checkAddress(`payout of contribution ${c.key}`, payout);
      contributorParts.push({ role: "contributor", account: payout, amount, contributionId: c.key });
    });
    contributorParts.sort((a, b) => (a.contributionId! < b.contributionId! ? -1 : 1));
  }

  const parts: FeePart[] = [];
  if (protocol > 0n) parts.push({ role: "protocol", account: treasury, amount: protocol });
  if (ownerAmount > 0n) parts.push({ role: "owner", account: owner, amount: ownerAmount });
  if (agentFee > 0n) parts.push({ role: "agent", account: parameters.agentOperator!, amount: agentFee });
  parts.push(...contributorParts);
  return { charged: price + agentFee, agentFee, parts };
}
