import fc from "fast-check";
import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";
import { buildEpochReport, type EpochReport } from "./buildEpochReport.ts";
import { createEpochAggregator } from "./createEpochAggregator.ts";
import type { Receipt } from "./receipt.ts";
import { receiptHash } from "./receiptHash.ts";
import { addr, arbAttribution } from "./testing/fixtures.ts";
import { contextOf, defaultModel, makeReceipt } from "./testing/receipts.ts";
import type { ContributionShare, CumulativeTotals } from "./types.ts";
import { type EpochDifference, type RecomputedAttribution, verifyEpoch } from "./verifyEpoch.ts";

const PAYERS = [addr(0x5001), addr(0x5002), addr(0x5003)];
const context = contextOf(defaultModel);
/** The default model with input tokens priced too (3000 units per 1000 prompt tokens). */
const model = { ...defaultModel, pricing: { ...defaultModel.pricing, per1kInputTokens: 3_000n } };

/** An honest epoch 2 on top of an honest epoch 1, with its report and committed receipt list. */
function honestEpoch(
  specs: {
    payer: number;
    outputTokens: number;
    inputTokens?: number;
    attribution: ContributionShare[];
    agentFeeBps: number;
  }[],
) {
  const first = [
    makeReceipt({
      n: 900,
      payer: PAYERS[0]!,
      outputTokens: 10,
      attribution: [{ contributionId: 3n, ppm: 1_000_000 }],
    }),
  ];
  const e1 = createEpochAggregator();
  for (const r of first) e1.add(r);
  const a1 = e1.finish({ payers: PAYERS });
  const previous: CumulativeTotals = { charges: a1.charges, rewards: a1.rewards };
  const receipts = specs.map((s, n) => makeReceipt({ ...s, n, payer: PAYERS[s.payer]!, model }));
  const e2 = createEpochAggregator({ previous });
  for (const r of receipts) e2.add(r);
  const aggregation = e2.finish({ payers: PAYERS });
  const report = buildEpochReport({ epoch: 2n, aggregation, bundleURI: "ipfs://epoch-2", payers: PAYERS });
  const committed = receipts.map((r) => ({ id: r.id, hash: receiptHash(r) }));
  return { previous, receipts, report, committed };
}

// Hand-picked epoch: attributed, fallback (no attribution), agent, shared payouts.
const fixed = honestEpoch([
  { payer: 0, outputTokens: 0, attribution: [{ contributionId: 1n, ppm: 1_000_000 }], agentFeeBps: 0 },
  {
    payer: 1,
    outputTokens: 40,
    attribution: [
      { contributionId: 2n, ppm: 600_000 },
      { contributionId: 5n, ppm: 400_000 },
    ],
    agentFeeBps: 500,
  },
  { payer: 2, outputTokens: 7, attribution: [], agentFeeBps: 0 },
  {
    payer: 0,
    outputTokens: 123,
    inputTokens: 4_321,
    attribution: [
      { contributionId: 1n, ppm: 500_000 },
      { contributionId: 3n, ppm: 500_000 },
    ],
    agentFeeBps: 0,
  },
]);

/** The "engine": the true attribution of each output, keyed by output hash. */
const truth = new Map(fixed.receipts.map((r) => [r.outputHash, r.attribution]));
const recomputeAttribution = (r: Receipt): RecomputedAttribution => truth.get(r.outputHash)!;

async function verify(
  receipts: Iterable<Receipt> | AsyncIterable<Receipt>,
  options: { report?: EpochReport; committed?: boolean; recompute?: boolean } = {},
) {
  return verifyEpoch({
    report: options.report ?? fixed.report,
    receipts,
    previous: fixed.previous,
    payers: PAYERS,
    context,
    ...(options.committed === false ? {} : { committed: fixed.committed }),
    ...(options.recompute ? { recomputeAttribution } : {}),
  });
}

const diffs = (result: Awaited<ReturnType<typeof verifyEpoch>>): readonly EpochDifference[] =>
  result.ok ? [] : result.differences;
const receiptFields = (ds: readonly EpochDifference[]) =>
  ds.filter((d) => d.receiptId !== undefined).map((d) => `${d.receiptId}:${d.field}`);
const reportFields = (ds: readonly EpochDifference[]) =>
  ds.filter((d) => d.receiptId === undefined).map((d) => d.field);

describe("verifyEpoch (fixed inputs)", () => {
  it("accepts the honest bundle, with or without the committed list and recomputation, from an async stream", async () => {
    expect(await verify(fixed.receipts, { recompute: true })).toEqual({ ok: true, receiptCount: 4 });
    expect(await verify(fixed.receipts, { committed: false })).toEqual({ ok: true, receiptCount: 4 });
    async function* stream() {
      yield* fixed.receipts;
    }
    expect(await verify(stream())).toEqual({ ok: true, receiptCount: 4 });
  });

  it("one part amount changed: names the receipt and the two parts; the recomputed trees still match", async () => {
    const target = fixed.receipts[1]!;
    const parts = target.parts.map((p) =>
      p.role === "owner"
        ? { ...p, amount: p.amount - 1n }
        : p.contributionId === 5n
          ? { ...p, amount: p.amount + 1n }
          : p,
    );
    const tampered = fixed.receipts.map((r) => (r === target ? { ...r, parts } : r));
    const ds = diffs(await verify(tampered));
    expect(receiptFields(ds).sort()).toEqual(
      [
        `${target.id}:parts[owner].amount`,
        `${target.id}:parts[contributor:5].amount`,
        `${target.id}:receiptHash`,
      ].sort(),
    );
    expect(ds.find((d) => d.field === "parts[owner].amount")).toMatchObject({
      expected: String(target.parts.find((p) => p.role === "owner")!.amount),
      actual: String(parts.find((p) => p.role === "owner")!.amount),
    });
    expect(reportFields(ds)).toEqual(["receiptsRoot"]);
  });

  it("one attribution ppm changed: named by recomputation, or by the changed split without it", async () => {
    const target = fixed.receipts[3]!;
    const contributions = [
      { contributionId: 1n, ppm: 400_000 },
      { contributionId: 3n, ppm: 600_000 },
    ];
    const tampered = fixed.receipts.map((r) =>
      r === target ? { ...r, attribution: { ...r.attribution, contributions } } : r,
    );
    const withEngine = receiptFields(diffs(await verify(tampered, { recompute: true })));
    expect(withEngine.sort()).toEqual(
      [
        `${target.id}:attribution.contributions[1].ppm`,
        `${target.id}:attribution.contributions[3].ppm`,
        `${target.id}:receiptHash`,
      ].sort(),
    );
    const withoutEngine = receiptFields(diffs(await verify(tampered, { committed: false })));
    // payouts: contribution 1 → 0x1001, 3 → 0x1003; the parts no longer match a 40/60 split
    expect(withoutEngine.sort()).toEqual(
      [`${target.id}:parts[contributor:1].amount`, `${target.id}:parts[contributor:3].amount`].sort(),
    );
  });

  it("a dropped receipt is named from the committed list; without it the totals and roots differ", async () => {
    const dropped = fixed.receipts[2]!;
    const rest = fixed.receipts.filter((r) => r !== dropped);
    const ds = diffs(await verify(rest));
    expect(receiptFields(ds)).toEqual([`${dropped.id}:receipt`]);
    expect(ds[0]).toMatchObject({ expected: "present", actual: "missing" });
    expect(reportFields(ds).sort()).toEqual(
      ["chargesRoot", "cumulativeCharged", "cumulativeRewards", "receiptsRoot", "rewardsRoot"].sort(),
    );
    expect(reportFields(diffs(await verify(rest, { committed: false }))).length).toBe(5);
  });

  it("two receipts swapped: both named by position; only the receipts root differs", async () => {
    const [a, b, c, d] = fixed.receipts as [Receipt, Receipt, Receipt, Receipt];
    const ds = diffs(await verify([a, c, b, d]));
    expect(receiptFields(ds)).toEqual([`${c.id}:position`, `${b.id}:position`]);
    expect(ds[0]).toMatchObject({ expected: b.id, actual: c.id });
    expect(reportFields(ds)).toEqual(["receiptsRoot"]);
    expect(diffs(await verify([a, c, b, d], { committed: false })).map((x) => x.field)).toEqual([
      "receiptsRoot",
    ]);
  });

  it("a repeated receipt, an unknown receipt, a malformed one and a wrong price are each named", async () => {
    const [a, b, c, d] = fixed.receipts as [Receipt, Receipt, Receipt, Receipt];
    expect(receiptFields(diffs(await verify([a, b, b, c, d])))).toEqual([`${b.id}:id`]);
    const extra = makeReceipt({ n: 77, payer: PAYERS[0]!, outputTokens: 1, attribution: [] });
    expect(receiptFields(diffs(await verify([a, b, c, d, extra])))).toEqual([`${extra.id}:receipt`]);
    const broken = { ...c, outputHash: "0x12" as Hex };
    expect(receiptFields(diffs(await verify([a, b, broken, d])))).toContain(`${c.id}:receipt`);
    // price + 10 on every figure (owner part absorbs it): balanced, but not what the pricing gives
    const owner = d.parts.findIndex((p) => p.role === "owner");
    const pricey = {
      ...d,
      price: d.price + 10n,
      charged: d.charged + 10n,
      parts: d.parts.map((p, i) => (i === owner ? { ...p, amount: p.amount + 10n } : p)),
    };
    const fields = receiptFields(diffs(await verify([a, b, c, pricey])));
    expect(fields).toEqual(
      expect.arrayContaining([`${d.id}:price`, `${d.id}:charged`, `${d.id}:parts[owner].amount`]),
    );
  });

  it("input tokens are priced: a receipt that leaves its prompt out of the price is named", async () => {
    const [a, b, c, d] = fixed.receipts as [Receipt, Receipt, Receipt, Receipt];
    expect(d.inputTokens).toBe(4_321);
    // The same receipt priced as if the prompt were free, otherwise consistent (balanced parts).
    const free = makeReceipt({
      n: 3,
      payer: d.payer,
      outputTokens: d.outputTokens,
      inputTokens: 0,
      attribution: d.attribution.contributions,
      model,
    });
    expect(d.price - free.price).toBe(12_963n); // ceil(3000 × 4321 / 1000)
    const underpriced = {
      ...d,
      price: free.price,
      agentFee: free.agentFee,
      charged: free.charged,
      parts: free.parts,
    };
    const fields = receiptFields(diffs(await verify([a, b, c, underpriced])));
    expect(fields).toEqual(
      expect.arrayContaining([`${d.id}:price`, `${d.id}:charged`, `${d.id}:parts[owner].amount`]),
    );
    expect(fields.every((f) => f.startsWith(d.id))).toBe(true);
  });

  it("a report with a wrong root or total is reported at report level", async () => {
    const bad = {
      ...fixed.report,
      rewardsRoot: fixed.report.chargesRoot,
      cumulativeCharged: fixed.report.cumulativeCharged + 1n,
    };
    const ds = diffs(await verify(fixed.receipts, { report: bad }));
    expect(reportFields(ds).sort()).toEqual(["cumulativeCharged", "rewardsRoot"]);
  });

  it("a receipt whose pricing is not the chain's is named", async () => {
    const ds = diffs(
      await verifyEpoch({
        report: fixed.report,
        receipts: fixed.receipts,
        previous: fixed.previous,
        payers: PAYERS,
        context: (r) => ({
          ...context(r),
          pricing: { perCall: 1n, per1kOutputTokens: 1n, per1kInputTokens: 0n },
        }),
      }),
    );
    expect(receiptFields(ds).filter((f) => f.endsWith(":pricing")).length).toBe(4);
  });
});

describe("verifyEpoch (properties)", () => {
  const arbSpec = fc.record({
    payer: fc.integer({ min: 0, max: 2 }),
    outputTokens: fc.integer({ min: 0, max: 10_000 }),
    inputTokens: fc.integer({ min: 0, max: 100_000 }),
    attribution: arbAttribution,
    agentFeeBps: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 10_000 })),
  });

  it("an honest epoch verifies; moving any amount between two parts of one receipt names that receipt only", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(arbSpec, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.nat(),
        fc.bigInt({ min: 1n, max: 1_000n }),
        async (specs, pickReceipt, pickPart, delta) => {
          const epoch = honestEpoch(specs);
          const base = {
            report: epoch.report,
            previous: epoch.previous,
            payers: PAYERS as Address[],
            context,
          };
          expect(
            (await verifyEpoch({ ...base, receipts: epoch.receipts, committed: epoch.committed })).ok,
          ).toBe(true);
          const target = epoch.receipts[pickReceipt % epoch.receipts.length]!;
          fc.pre(target.parts.length >= 2);
          const from = pickPart % target.parts.length;
          const to = (from + 1) % target.parts.length;
          let moved = delta; // bigint: no Math.min
          if (moved > target.parts[from]!.amount) moved = target.parts[from]!.amount;
          fc.pre(moved > 0n);
          const parts = target.parts.map((p, i) =>
            i === from
              ? { ...p, amount: p.amount - moved }
              : i === to
                ? { ...p, amount: p.amount + moved }
                : p,
          );
          const tampered = epoch.receipts.map((r) => (r === target ? { ...r, parts } : r));
          const result = await verifyEpoch({ ...base, receipts: tampered, committed: epoch.committed });
          const named = new Set(
            diffs(result).flatMap((d) => (d.receiptId === undefined ? [] : [d.receiptId])),
          );
          expect([...named]).toEqual([target.id]);
          expect(diffs(result).some((d) => d.field.startsWith("parts["))).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});
