import fc from "fast-check";
import type { Address } from "viem";
import { describe, expect, it } from "vitest";
import { buildCumulativeTree, processProof, standardLeafHash } from "../merkle/index.ts";
import { buildEpochReport } from "./buildEpochReport.ts";
import { createEpochAggregator, EMPTY_TREE_ROOT } from "./createEpochAggregator.ts";
import { SettlementError } from "./errors.ts";
import { receiptHash } from "./receiptHash.ts";
import { computeReceiptsRoot } from "./receiptsRoot.ts";
import { AGENT, addr, arbAttribution, OWNER, TREASURY } from "./testing/fixtures.ts";
import { defaultModel, makeReceipt } from "./testing/receipts.ts";
import type { ContributionShare } from "./types.ts";

const P1 = addr(0x5001);
const P2 = addr(0x5002);
const P3 = addr(0x5003);
const C1 = addr(0x1001); // payout of contribution 1 (and 5, 9)
const C2 = addr(0x1002); // payout of contribution 2 (and 6, 10)

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SettlementError);
    return (e as SettlementError).code;
  }
  return "no error";
};

describe("createEpochAggregator (fixed inputs, checked by hand)", () => {
  // r1: P1, 0 output tokens → price 1000; protocol 50, owner floor(950 × 0.3) = 285, data 665 → contribution 1
  const r1 = makeReceipt({
    n: 1,
    payer: P1,
    outputTokens: 0,
    attribution: [{ contributionId: 1n, ppm: 1_000_000 }],
  });
  // r2: P2, 50 tokens → price 1000 + ceil(20000 × 50 / 1000) = 2000; protocol 100, owner 570, data 1330 by
  // fallback 300:100 tokens → 997.5 / 332.5: floors 997, 332, equal remainders → contribution 1 → 998, 332
  const r2 = makeReceipt({ n: 2, payer: P2, outputTokens: 50, attribution: [] });
  // r3 (epoch 2): P1 through an agent at 10% → charged 1100; protocol 50, owner 285, agent 100, contribution 2: 665
  const r3 = makeReceipt({
    n: 3,
    payer: P1,
    outputTokens: 0,
    attribution: [{ contributionId: 2n, ppm: 1_000_000 }],
    agentFeeBps: 1_000,
  });

  it("the split parts are what the comments say", () => {
    expect(r2.parts.map((p) => p.amount)).toEqual([100n, 570n, 998n, 332n]);
    expect(r3.parts.map((p) => p.amount)).toEqual([50n, 285n, 100n, 665n]);
  });

  it("aggregates two epochs cumulatively, with a never-charged depositor at 0", () => {
    const e1 = createEpochAggregator();
    e1.add(r1);
    e1.add(r2, receiptHash(r2));
    const a1 = e1.finish({ payers: [P3] });
    expect(a1.charges).toEqual(
      new Map([
        [P1, 1_000n],
        [P2, 2_000n],
        [P3, 0n],
      ]),
    );
    // treasury 50 + 100; owner 285 + 570; 0x1001: 665 + 998; 0x1002: 332
    expect(a1.rewards).toEqual(
      new Map([
        [OWNER, 855n],
        [TREASURY, 150n],
        [C1, 1_663n],
        [C2, 332n],
      ]),
    );
    expect([a1.epochCharged, a1.epochRewards, a1.cumulativeCharged, a1.cumulativeRewards]).toEqual([
      3_000n,
      3_000n,
      3_000n,
      3_000n,
    ]);
    expect(a1.receiptCount).toBe(2);
    expect(a1.receiptsRoot).toBe(computeReceiptsRoot([r1, r2].map((r) => receiptHash(r))));
    expect(a1.chargesRoot).toBe(
      buildCumulativeTree([...a1.charges].map(([account, amount]) => ({ account, amount }))).root,
    );

    const e2 = createEpochAggregator({ previous: { charges: a1.charges, rewards: a1.rewards } });
    expect(e2.chargedOf(P1)).toBe(1_000n);
    e2.add(r3);
    const a2 = e2.finish();
    expect(a2.charges.get(P1)).toBe(2_100n);
    expect(a2.charges.get(P3)).toBe(0n); // carried over from epoch 1
    expect(a2.rewards.get(TREASURY)).toBe(200n);
    expect(a2.rewards.get(OWNER)).toBe(1_140n);
    expect(a2.rewards.get(AGENT)).toBe(100n);
    expect(a2.rewards.get(C2)).toBe(997n);
    expect([a2.epochCharged, a2.epochRewards, a2.cumulativeCharged, a2.cumulativeRewards]).toEqual([
      1_100n,
      1_100n,
      4_100n,
      4_100n,
    ]);
    // a claim proof for 0x1002's cumulative 997 verifies against the rewards root
    const leaf = standardLeafHash(["address", "uint256"], [C2, 997n]);
    expect(processProof(leaf, a2.rewardsTree!.proofOf(C2))).toBe(a2.rewardsRoot);

    const report = buildEpochReport({ epoch: 2n, aggregation: a2, bundleURI: "ipfs://bundle", payers: [P3] });
    expect(report).toEqual({
      epoch: 2n,
      chargesRoot: a2.chargesRoot,
      rewardsRoot: a2.rewardsRoot,
      cumulativeCharged: 4_100n,
      cumulativeRewards: 4_100n,
      receiptsRoot: a2.receiptsRoot,
      bundleURI: "ipfs://bundle",
    });
  });

  it("merges one account written in different letter cases into one leaf", () => {
    const lower = {
      ...r1,
      parts: r1.parts.map((p) => ({ ...p, account: p.account.toLowerCase() as Address })),
    };
    const agg = createEpochAggregator({
      previous: { charges: new Map(), rewards: new Map([[OWNER.toLowerCase() as Address, 5n]]) },
    });
    agg.add(r1);
    agg.add({ ...lower, id: r2.id });
    const a = agg.finish();
    // owner: 5 + 285 + 285; treasury 50 + 50; 0x1001: 665 + 665
    expect(a.rewards).toEqual(
      new Map([
        [OWNER, 575n],
        [TREASURY, 100n],
        [C1, 1_330n],
      ]),
    );
  });

  it("an empty first epoch has zero roots and totals", () => {
    const a = createEpochAggregator().finish();
    expect([a.chargesRoot, a.rewardsRoot, a.receiptsRoot]).toEqual([
      EMPTY_TREE_ROOT,
      EMPTY_TREE_ROOT,
      EMPTY_TREE_ROOT,
    ]);
    expect(a.chargesTree).toBeUndefined();
    expect(a.cumulativeCharged).toBe(0n);
  });

  it("canCharge keeps a payer's cumulative charge within its deposit", () => {
    const agg = createEpochAggregator({
      previous: { charges: new Map([[P1, 900n]]), rewards: new Map([[P1, 900n]]) },
    });
    expect(agg.canCharge(P1, 100n, 1_000n)).toBe(true); // 900 + 100 = 1000 ≤ 1000
    expect(agg.canCharge(P1, 101n, 1_000n)).toBe(false);
    expect(agg.canCharge(P2, 1_000n, 1_000n)).toBe(true);
  });

  it("refuses unbalanced receipts, reuse after finish, duplicate previous accounts; reports refuse bad input", () => {
    const agg = createEpochAggregator();
    expect(code(() => agg.add({ ...r1, charged: r1.charged + 1n }))).toBe("RECEIPT_UNBALANCED");
    const parts = r1.parts.map((p, i) => (i === 0 ? { ...p, amount: p.amount + 1n } : p));
    expect(code(() => agg.add({ ...r1, parts }))).toBe("RECEIPT_UNBALANCED");
    expect(
      code(() => agg.add({ ...r1, parts: [...r1.parts.slice(1), { ...r1.parts[0]!, amount: -1n }] })),
    ).toBe("RECEIPT_UNBALANCED");
    expect(agg.receiptCount).toBe(0);
    const a = agg.finish();
    expect(code(() => agg.add(r1))).toBe("AGGREGATOR_FINISHED");
    expect(
      code(() =>
        createEpochAggregator({
          previous: {
            charges: new Map([
              [OWNER, 1n],
              [OWNER.toLowerCase() as Address, 2n],
            ]),
            rewards: new Map(),
          },
        }),
      ),
    ).toBe("DUPLICATE_ACCOUNT");
    expect(code(() => buildEpochReport({ epoch: 0n, aggregation: a, bundleURI: "" }))).toBe("INVALID_EPOCH");
    expect(code(() => buildEpochReport({ epoch: 1n, aggregation: a, bundleURI: "", payers: [P3] }))).toBe(
      "PAYER_NOT_IN_CHARGES",
    );
    const bad = createEpochAggregator({
      previous: { charges: new Map([[P1, 1n]]), rewards: new Map([[P2, 2n]]) },
    });
    expect(code(() => buildEpochReport({ epoch: 1n, aggregation: bad.finish(), bundleURI: "" }))).toBe(
      "REWARDS_EXCEED_CHARGES",
    );
  });
});

const PAYERS = [P1, P2, P3, addr(0x5004)];
const arbReceiptSpec = fc.record({
  payer: fc.integer({ min: 0, max: PAYERS.length - 1 }),
  outputTokens: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
  inputTokens: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 100_000 })),
  attribution: arbAttribution,
  agentFeeBps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 })),
});
type ReceiptSpec = {
  payer: number;
  outputTokens: number;
  inputTokens: number;
  attribution: ContributionShare[];
  agentFeeBps: number;
};
const arbEpochs = fc.array(fc.array(arbReceiptSpec, { maxLength: 12 }), { minLength: 1, maxLength: 4 });

/** Input tokens priced too, so the balance properties cover the input term. */
const inputPriced = { ...defaultModel, pricing: { ...defaultModel.pricing, per1kInputTokens: 7_777n } };

function toReceipts(epochs: readonly (readonly ReceiptSpec[])[]) {
  let n = 0;
  return epochs.map((epoch) =>
    epoch.map((s) =>
      makeReceipt({
        n: n++,
        payer: PAYERS[s.payer]!,
        outputTokens: s.outputTokens,
        inputTokens: s.inputTokens,
        attribution: s.attribution,
        agentFeeBps: s.agentFeeBps,
        model: inputPriced,
      }),
    ),
  );
}

describe("createEpochAggregator (properties over random epochs)", () => {
  it("per epoch Σ rewards = Σ charges; totals are monotone and equal the trees' totals; chaining = one big epoch", () => {
    fc.assert(
      fc.property(arbEpochs, (specs) => {
        const epochs = toReceipts(specs);
        let previous = { charges: new Map<Address, bigint>(), rewards: new Map<Address, bigint>() };
        let lastCharged = 0n;
        let lastRewards = 0n;
        for (const receipts of epochs) {
          const agg = createEpochAggregator({ previous });
          for (const r of receipts) agg.add(r);
          const a = agg.finish();
          expect(a.epochRewards).toBe(a.epochCharged);
          expect(a.epochCharged).toBe(receipts.reduce((s, r) => s + r.charged, 0n));
          expect(a.cumulativeCharged).toBe(lastCharged + a.epochCharged);
          expect(a.cumulativeRewards).toBe(lastRewards + a.epochRewards);
          expect(a.cumulativeRewards).toBe(a.cumulativeCharged);
          expect(a.chargesTree?.total ?? 0n).toBe(a.cumulativeCharged);
          expect(a.rewardsTree?.total ?? 0n).toBe(a.cumulativeRewards);
          for (const [account, amount] of previous.charges)
            expect(a.charges.get(account)! >= amount).toBe(true);
          for (const [account, amount] of previous.rewards)
            expect(a.rewards.get(account)! >= amount).toBe(true);
          lastCharged = a.cumulativeCharged;
          lastRewards = a.cumulativeRewards;
          previous = { charges: new Map(a.charges), rewards: new Map(a.rewards) };
        }
        const all = createEpochAggregator();
        for (const r of epochs.flat()) all.add(r);
        const one = all.finish();
        expect(one.charges).toEqual(previous.charges);
        expect(one.rewards).toEqual(previous.rewards);
      }),
      { numRuns: 60 },
    );
  });

  it("a caller that checks canCharge never charges a payer beyond its deposit", () => {
    fc.assert(
      fc.property(
        arbEpochs,
        fc.array(fc.bigInt({ min: 0n, max: 5_000_000n }), {
          minLength: PAYERS.length,
          maxLength: PAYERS.length,
        }),
        (specs, deposits) => {
          let previous = { charges: new Map<Address, bigint>(), rewards: new Map<Address, bigint>() };
          for (const receipts of toReceipts(specs)) {
            const agg = createEpochAggregator({ previous });
            for (const r of receipts) {
              const deposited = deposits[PAYERS.indexOf(r.payer)]!;
              if (agg.canCharge(r.payer, r.charged, deposited)) {
                agg.add(r);
              }
            }
            const a = agg.finish({ payers: PAYERS });
            PAYERS.forEach((p, i) => {
              expect(a.charges.get(p)! <= deposits[i]!).toBe(true);
            });
            previous = { charges: new Map(a.charges), rewards: new Map(a.rewards) };
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
