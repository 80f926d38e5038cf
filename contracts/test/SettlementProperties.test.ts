/**
 * Property tests of Settlement against anvil: random sequences of deposits, epoch reports (honest, built
 * as real trees, or deliberately invalid), vetoes, finalizations, claims, withdrawal requests,
 * cancellations, withdrawals and waits. A model predicts the outcome of every step (success with the exact
 * amount, or the exact custom error); after every step the conservation invariants are read from chain.
 * The model's attestor is honest: it never charges a payer beyond its credit, nor one with a pending
 * withdrawal request (the gateway stops serving it), and puts every payer and contributor in the trees.
 */
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { settlementAbi, tributaryTokenAbi } from "@tributary/abi";
import fc from "fast-check";
import { type Address, BaseError, ContractFunctionRevertedError, type Hex, keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type EpochReport,
  hashEpochReportOffline,
  signEpochReport,
} from "../../packages/sdk/src/actions/settlement.ts";
import { mined, setupTestChain, type TestChain } from "./fixture.ts";

const WINDOW = 3600;
const DELAY = 86_400;
const PAYERS = [6, 7] as const;
const CONTRIBUTORS = [8, 9, 1] as const; // two contributors and the treasury

type Cmd =
  | { t: "deposit"; p: number; amount: bigint }
  | { t: "epoch"; inc: [bigint, bigint]; pct: number; weights: [number, number, number]; bad: number }
  | { t: "veto" }
  | { t: "finalize" }
  | { t: "claim"; c: number; relayer: number }
  | { t: "request"; p: number }
  | { t: "cancel"; p: number }
  | { t: "withdraw"; p: number }
  | { t: "wait"; seconds: number };

const cmdArb: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({ t: fc.constant("deposit" as const), p: fc.nat(1), amount: fc.bigInt(1n, 1000n) }),
  fc.record({
    t: fc.constant("epoch" as const),
    inc: fc.tuple(fc.bigInt(0n, 400n), fc.bigInt(0n, 400n)),
    pct: fc.integer({ min: 0, max: 100 }),
    weights: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
    bad: fc.nat(9),
  }),
  fc.constant({ t: "veto" as const }),
  fc.constant({ t: "finalize" as const }),
  fc.record({ t: fc.constant("claim" as const), c: fc.nat(2), relayer: fc.nat(9) }),
  fc.record({ t: fc.constant("request" as const), p: fc.nat(1) }),
  fc.record({ t: fc.constant("cancel" as const), p: fc.nat(1) }),
  fc.record({ t: fc.constant("withdraw" as const), p: fc.nat(1) }),
  fc.record({ t: fc.constant("wait" as const), seconds: fc.constantFrom(60, DELAY + WINDOW + 10) }),
);

const epochArb = fc.record({
  t: fc.constant("epoch" as const),
  inc: fc.tuple(fc.bigInt(0n, 400n), fc.bigInt(0n, 400n)),
  pct: fc.integer({ min: 0, max: 100 }),
  weights: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
  bad: fc.nat(9),
});
/**
 * Short episodes that reach the money-moving paths (a withdrawal needs request, delay, a new report and
 * its finalization, in that order), interleaved at random with single commands; at most 15 steps a run.
 */
const sequenceArb: fc.Arbitrary<Cmd[]> = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: cmdArb.map((c) => [c]) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.nat(1), epochArb, fc.bigInt(1n, 1000n))
          .map(([p, e, amount]): Cmd[] => [
            { t: "deposit", p, amount },
            { t: "request", p },
            { t: "wait", seconds: DELAY + WINDOW + 10 },
            e,
            { t: "finalize" },
            { t: "withdraw", p },
          ]),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.nat(1), fc.bigInt(1n, 1000n), epochArb, fc.nat(2), fc.nat(9))
          .map(([p, amount, e, c, relayer]): Cmd[] => [
            { t: "cancel", p }, // a payer with a pending request is not served, so not charged
            { t: "deposit", p, amount },
            e,
            { t: "finalize" },
            { t: "claim", c, relayer },
          ]),
      },
    ),
    { minLength: 2, maxLength: 6 },
  )
  .map((episodes) => episodes.flat().slice(0, 15));

type Report = {
  epoch: bigint;
  charged: bigint[];
  rewards: bigint[];
  cumCharged: bigint;
  cumRewards: bigint;
  submittedAt: bigint;
  challengeEndsAt: bigint;
  digest: Hex;
  chargesTree: StandardMerkleTree<string[]>;
  rewardsTree: StandardMerkleTree<string[]>;
};

function tree(accounts: Address[], amounts: bigint[]) {
  return StandardMerkleTree.of(
    accounts.map((a, i) => [a, amounts[i]!.toString()]),
    ["address", "uint256"],
  );
}
const proofOf = (t: StandardMerkleTree<string[]>, i: number) => t.getProof(i) as Hex[];

describe("Settlement properties", () => {
  let chain: TestChain;
  let S: Address;
  let T: Address;
  let base: Hex;
  const addr = (i: number) => chain.accounts[i]!.address;

  beforeAll(async () => {
    chain = await setupTestChain();
    S = chain.deployment.contracts.settlement;
    T = chain.deployment.contracts.token;
    for (const p of PAYERS) {
      await mined(
        chain,
        chain.wallets[0]!.writeContract({
          address: T,
          abi: tributaryTokenAbi,
          functionName: "mint",
          args: [addr(p), 10n ** 24n],
        }),
      );
      await mined(
        chain,
        chain.wallets[p]!.writeContract({
          address: T,
          abi: tributaryTokenAbi,
          functionName: "approve",
          args: [S, 10n ** 24n],
        }),
      );
    }
    base = await chain.snapshot();
  });
  afterAll(() => chain?.stop());

  const read = <R>(functionName: string, args: readonly unknown[] = []) =>
    chain.publicClient.readContract({
      address: S,
      abi: settlementAbi,
      functionName,
      args,
    } as never) as Promise<R>;

  /** Sends and returns the receipt, or the decoded custom error `{ name, args }` when it reverts. */
  async function attempt(from: number, functionName: string, args: readonly unknown[] = []) {
    try {
      const hash = await chain.wallets[from]!.writeContract({
        address: S,
        abi: settlementAbi,
        functionName,
        args,
      } as never);
      const receipt = await chain.publicClient.waitForTransactionReceipt({ hash });
      expect(receipt.status).toBe("success");
      const block = await chain.publicClient.getBlock({ blockNumber: receipt.blockNumber });
      return { ok: true as const, receipt, timestamp: block.timestamp };
    } catch (e) {
      if (!(e instanceof BaseError)) throw e;
      const revert = e.walk((x) => x instanceof ContractFunctionRevertedError);
      if (!(revert instanceof ContractFunctionRevertedError) || !revert.data) throw e;
      return { ok: false as const, name: revert.data.errorName, args: revert.data.args ?? [] };
    }
  }
  const latest = async () => (await chain.publicClient.getBlock()).timestamp;
  const elapse = async (seconds: number) => {
    await chain.testClient.increaseTime({ seconds });
    await chain.testClient.mine({ blocks: 1 });
  };

  /** Runs one command sequence from the base snapshot, checking every outcome and the invariants. */
  async function run(cmds: Cmd[]) {
    await chain.revert(base);
    base = await chain.snapshot();
    const payers = PAYERS.map(addr);
    const contributors = CONTRIBUTORS.map(addr);
    const m = {
      dep: [0n, 0n],
      wd: [0n, 0n],
      reqAt: [0n, 0n],
      claimed: [0n, 0n, 0n],
      fin: undefined as Report | undefined,
      pend: undefined as Report | undefined,
      vetoed: new Set<string>(),
    };
    const finCharged = (p: number) => m.fin?.charged[p] ?? 0n;
    const backing = () => m.dep[0]! + m.dep[1]! - m.wd[0]! - m.wd[1]!;
    const stats = { ok: 0, reverted: 0, okBy: {} as Record<string, number> };

    const expectOutcome = (
      r: Awaited<ReturnType<typeof attempt>>,
      expected: { name: string; args: readonly unknown[] } | null,
      cmd: Cmd,
    ) => {
      if (expected) {
        expect(
          r.ok ? "success" : { name: r.name, args: r.args },
          JSON.stringify(cmd, (_, v) => (typeof v === "bigint" ? `${v}n` : v)),
        ).toEqual(expected);
        stats.reverted++;
      } else {
        expect(r.ok ? "success" : `${r.name}(${r.args.join(",")})`).toBe("success");
        stats.ok++;
        stats.okBy[cmd.t] = (stats.okBy[cmd.t] ?? 0) + 1;
      }
    };

    for (const cmd of cmds) {
      switch (cmd.t) {
        case "deposit": {
          const r = await attempt(PAYERS[cmd.p]!, "deposit", [cmd.amount]);
          expectOutcome(r, null, cmd);
          m.dep[cmd.p]! += cmd.amount;
          break;
        }
        case "epoch": {
          const epoch = (m.fin?.epoch ?? 0n) + 1n;
          const charged = [0, 1].map((p) => {
            // Honest attestor: a payer with a pending request is not served; nobody beyond its credit.
            if (m.reqAt[p] !== 0n) return finCharged(p);
            const credit = m.dep[p]! - m.wd[p]! - finCharged(p);
            return finCharged(p) + (cmd.inc[p]! < credit ? cmd.inc[p]! : credit);
          });
          const prevCharged = m.fin?.cumCharged ?? 0n;
          const cumCharged = charged[0]! + charged[1]!;
          const newRewards = ((cumCharged - prevCharged) * BigInt(cmd.pct)) / 100n;
          const wsum = cmd.weights.reduce((s, w) => s + w, 0);
          const shares = cmd.weights.map((w) => (wsum === 0 ? 0n : (newRewards * BigInt(w)) / BigInt(wsum)));
          shares[0]! += newRewards - shares.reduce((s, x) => s + x, 0n); // remainder to the first, to the unit
          const rewards = [0, 1, 2].map((c) => (m.fin?.rewards[c] ?? 0n) + shares[c]!);
          const cumRewards = rewards.reduce((s, x) => s + x, 0n);
          const chargesTree = tree(payers, charged);
          const rewardsTree = tree(contributors, rewards);
          const report: EpochReport = {
            epoch,
            chargesRoot: chargesTree.root as Hex,
            rewardsRoot: rewardsTree.root as Hex,
            cumulativeCharged: cumCharged,
            cumulativeRewards: cumRewards,
            receiptsRoot: keccak256(toHex(`receipts-${epoch}`)),
            bundleURI: `ipfs://epoch-${epoch}`,
          };
          let expected: { name: string; args: readonly unknown[] } | null = null;
          if (cmd.bad === 0) report.cumulativeRewards = cumCharged + 1n;
          if (cmd.bad === 1) {
            report.cumulativeCharged = backing() + 1n;
            report.cumulativeRewards = m.fin?.cumRewards ?? 0n;
          }
          const digest = hashEpochReportOffline({
            chainId: chain.publicClient.chain.id,
            settlement: S,
            report,
          });
          if (m.pend) expected = { name: "SettlementEpochPending", args: [m.pend.epoch] };
          else if (m.vetoed.has(digest)) expected = { name: "SettlementReportVetoed", args: [digest] };
          else if (cmd.bad === 0)
            expected = { name: "SettlementRewardsExceedCharges", args: [cumCharged + 1n, cumCharged] };
          else if (cmd.bad === 1)
            expected = { name: "SettlementChargesExceedBacking", args: [backing() + 1n, backing()] };
          const sig = await signEpochReport(chain.accounts[3]!, chain.publicClient.chain.id, S, report);
          const r = await attempt(CONTRIBUTORS[0], "submitEpoch", [report, [sig]]);
          expectOutcome(r, expected, cmd);
          if (r.ok) {
            m.pend = {
              epoch,
              charged,
              rewards,
              cumCharged,
              cumRewards,
              submittedAt: r.timestamp,
              challengeEndsAt: r.timestamp + BigInt(WINDOW),
              digest,
              chargesTree,
              rewardsTree,
            };
          }
          break;
        }
        case "veto": {
          const epoch = m.pend?.epoch ?? (m.fin?.epoch ?? 0n) + 1n;
          const now = await latest();
          const expected = !m.pend
            ? { name: "SettlementEpochNotPending", args: [epoch] }
            : now >= m.pend.challengeEndsAt
              ? { name: "SettlementChallengeWindowClosed", args: [epoch, m.pend.challengeEndsAt] }
              : null;
          const r = await attempt(2, "vetoEpoch", [epoch, "property test"]);
          expectOutcome(r, expected, cmd);
          if (r.ok) {
            m.vetoed.add(m.pend!.digest);
            m.pend = undefined;
          }
          break;
        }
        case "finalize": {
          await elapse(WINDOW + 1);
          const epoch = m.pend?.epoch ?? (m.fin?.epoch ?? 0n) + 1n;
          const r = await attempt(9, "finalizeEpoch", [epoch]);
          expectOutcome(r, m.pend ? null : { name: "SettlementEpochNotPending", args: [epoch] }, cmd);
          if (r.ok) {
            m.fin = m.pend;
            m.pend = undefined;
          }
          break;
        }
        case "claim": {
          const account = contributors[cmd.c]!;
          const amount = m.fin?.rewards[cmd.c] ?? 0n;
          const proof = m.fin ? proofOf(m.fin.rewardsTree, cmd.c) : [];
          const expected = !m.fin
            ? { name: "SettlementNoFinalizedEpoch", args: [] }
            : amount <= m.claimed[cmd.c]!
              ? { name: "SettlementNothingToClaim", args: [account, amount, m.claimed[cmd.c]!] }
              : null;
          const before = await chain.publicClient.readContract({
            address: T,
            abi: tributaryTokenAbi,
            functionName: "balanceOf",
            args: [account],
          });
          const r = await attempt(cmd.relayer, "claim", [account, amount, proof]);
          expectOutcome(r, expected, cmd);
          if (r.ok) {
            const after = await chain.publicClient.readContract({
              address: T,
              abi: tributaryTokenAbi,
              functionName: "balanceOf",
              args: [account],
            });
            // The relayer may be the account itself; either way the account receives exactly the difference.
            expect(after - before).toBe(amount - m.claimed[cmd.c]!);
            m.claimed[cmd.c] = amount;
          }
          break;
        }
        case "request": {
          const expected =
            m.reqAt[cmd.p] !== 0n
              ? { name: "SettlementWithdrawalAlreadyRequested", args: [payers[cmd.p], m.reqAt[cmd.p]] }
              : null;
          const r = await attempt(PAYERS[cmd.p]!, "requestWithdrawal");
          expectOutcome(r, expected, cmd);
          if (r.ok) m.reqAt[cmd.p] = r.timestamp;
          break;
        }
        case "cancel": {
          const expected =
            m.reqAt[cmd.p] === 0n
              ? { name: "SettlementWithdrawalNotRequested", args: [payers[cmd.p]] }
              : null;
          const r = await attempt(PAYERS[cmd.p]!, "cancelWithdrawal");
          expectOutcome(r, expected, cmd);
          if (r.ok) m.reqAt[cmd.p] = 0n;
          break;
        }
        case "withdraw": {
          const p = cmd.p;
          const payer = payers[p]!;
          const now = await latest();
          const credit = m.dep[p]! - m.wd[p]!;
          const charged = finCharged(p);
          const amount = credit - charged;
          let expected: { name: string; args: readonly unknown[] } | null = null;
          if (m.reqAt[p] === 0n) expected = { name: "SettlementWithdrawalNotRequested", args: [payer] };
          else if (now < m.reqAt[p]! + BigInt(DELAY))
            expected = {
              name: "SettlementWithdrawalDelayNotElapsed",
              args: [payer, m.reqAt[p]! + BigInt(DELAY)],
            };
          else if (!m.fin) expected = { name: "SettlementNoFinalizedEpoch", args: [] };
          else if (m.fin.submittedAt <= m.reqAt[p]!)
            expected = {
              name: "SettlementNoReportSinceRequest",
              args: [payer, m.reqAt[p], m.fin.submittedAt],
            };
          else if (charged >= credit)
            expected = { name: "SettlementNothingToWithdraw", args: [payer, credit, charged] };
          const proof = m.fin ? proofOf(m.fin.chargesTree, p) : [];
          const r = await attempt(PAYERS[p]!, "withdraw", [charged, proof]);
          // With an honest attestor a withdrawal is never blocked as unbacked: this is part of the property.
          expectOutcome(r, expected, cmd);
          if (r.ok) {
            m.wd[p]! += amount;
            m.reqAt[p] = 0n;
          }
          break;
        }
        case "wait":
          await elapse(cmd.seconds);
          break;
      }

      // Invariants, read from chain after every step.
      const [bal, totalDep, totalWd, fin] = await Promise.all([
        chain.publicClient.readContract({
          address: T,
          abi: tributaryTokenAbi,
          functionName: "balanceOf",
          args: [S],
        }),
        read<bigint>("totalDeposited"),
        read<bigint>("totalWithdrawn"),
        read<{ cumulativeCharged: bigint; cumulativeRewards: bigint; epoch: bigint }>("finalizedEpoch"),
      ]);
      const claimed = await Promise.all(contributors.map((c) => read<bigint>("claimed", [c])));
      const sumClaimed = claimed.reduce((s, x) => s + x, 0n);
      expect(bal, "token balance == deposited - withdrawn - claimed").toBe(totalDep - totalWd - sumClaimed);
      expect(sumClaimed <= fin.cumulativeRewards, "sum claimed <= finalized cumulative rewards").toBe(true);
      expect(fin.cumulativeRewards <= fin.cumulativeCharged).toBe(true);
      expect(fin.cumulativeCharged <= totalDep - totalWd, "finalized charges are backed").toBe(true);
      expect(claimed).toEqual(m.claimed);
      for (const [c, v] of claimed.entries())
        expect(v <= (m.fin?.rewards[c] ?? 0n), "claimed <= cumulative").toBe(true);
      for (const p of [0, 1]) {
        const [d, w] = await Promise.all([
          read<bigint>("deposited", [payers[p]]),
          read<bigint>("withdrawn", [payers[p]]),
        ]);
        expect([d, w]).toEqual([m.dep[p], m.wd[p]]);
        expect(d - w >= finCharged(p), "no payer withdrew charged funds").toBe(true);
      }
    }
    return stats;
  }

  it("random sequences keep every invariant and every outcome is the predicted one", async () => {
    const okBy: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(sequenceArb, async (cmds) => {
        for (const [t, n] of Object.entries((await run(cmds)).okBy)) okBy[t] = (okBy[t] ?? 0) + n;
      }),
      { numRuns: 30, seed: 20_261_126, endOnFailure: true },
    );
    console.log("successful steps by command:", okBy);
    // The runs must reach the paths that move money, or they prove little.
    for (const t of ["deposit", "epoch", "finalize", "claim", "withdraw", "veto"])
      expect(okBy[t] ?? 0, t).toBeGreaterThan(0);
  }, 170_000);

  it("fixed-input twin: one sequence through every branch", async () => {
    const honest = (a: bigint, b: bigint, pct = 50): Cmd => ({
      t: "epoch",
      inc: [a, b],
      pct,
      weights: [2, 1, 1],
      bad: 5,
    });
    const stats = await run([
      { t: "claim", c: 0, relayer: 9 }, // no finalized epoch
      { t: "deposit", p: 0, amount: 500n },
      { t: "deposit", p: 1, amount: 300n },
      { t: "epoch", inc: [100n, 0n], pct: 50, weights: [1, 1, 1], bad: 0 }, // rewards > charges
      { t: "epoch", inc: [100n, 0n], pct: 50, weights: [1, 1, 1], bad: 1 }, // charges > backing
      honest(100n, 50n),
      honest(10n, 10n), // pending
      { t: "veto" },
      honest(100n, 50n), // the vetoed report again
      honest(120n, 60n, 100),
      { t: "finalize" },
      { t: "claim", c: 0, relayer: 6 },
      { t: "claim", c: 0, relayer: 0 }, // twice
      { t: "request", p: 0 },
      { t: "request", p: 0 },
      { t: "withdraw", p: 0 }, // delay
      { t: "wait", seconds: DELAY + WINDOW + 10 },
      { t: "withdraw", p: 0 }, // no report since the request
      honest(400n, 40n, 80), // alice not charged: she asked to withdraw
      { t: "veto" }, // still in its window
      honest(400n, 40n, 90),
      { t: "finalize" },
      { t: "withdraw", p: 0 },
      { t: "withdraw", p: 0 }, // not requested any more
      { t: "claim", c: 1, relayer: 8 },
      { t: "claim", c: 2, relayer: 1 },
      { t: "cancel", p: 1 },
      { t: "request", p: 1 },
      { t: "cancel", p: 1 },
      { t: "finalize" }, // nothing pending
    ]);
    expect({ ok: stats.ok, reverted: stats.reverted }).toEqual({ ok: 17, reverted: 12 });
  }, 60_000);
});
