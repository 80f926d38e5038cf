import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SettlementError } from "./errors.ts";
import { type SplitFeeParameters, splitFee } from "./splitFee.ts";
import {
  AGENT,
  addr,
  allContributions,
  arbAmount,
  arbAttribution,
  arbBps,
  arbFallback,
  OWNER,
  payouts,
  TREASURY,
} from "./testing/fixtures.ts";
import type { FeePart } from "./types.ts";

const alice = addr(0xa11ce);
const bob = addr(0xb0b);

const base: SplitFeeParameters = {
  price: 1_000n,
  protocolFeeBps: 500,
  split: { ownerBps: 3_000, dataBps: 7_000 },
  attribution: [],
  contributions: new Map([
    [1n, { payout: alice }],
    [2n, { payout: bob }],
    [3n, { payout: alice }],
  ]),
  fallback: [],
  treasury: TREASURY,
  owner: OWNER,
};

const sum = (parts: readonly FeePart[]) => parts.reduce((s, p) => s + p.amount, 0n);

describe("splitFee (fixed inputs, checked by hand)", () => {
  it("agent on top, protocol, owner floor, data by ppm", () => {
    // agentFee = floor(1000 × 1000 / 10000) = 100, charged = 1100
    // protocol = floor(1000 × 500 / 10000) = 50; rest = 950
    // owner = floor(950 × 3000 / 10000) = floor(285.0) = 285; data = 950 − 285 = 665
    // data by ppm: 665 × 0.6 = 399, 665 × 0.4 = 266 (exact, nothing left over)
    // Σ = 50 + 285 + 100 + 399 + 266 = 1100
    const r = splitFee({
      ...base,
      agentFeeBps: 1_000,
      agentOperator: AGENT,
      attribution: [
        { contributionId: 2n, ppm: 400_000 },
        { contributionId: 1n, ppm: 600_000 },
      ],
    });
    expect(r).toEqual({
      charged: 1_100n,
      agentFee: 100n,
      parts: [
        { role: "protocol", account: TREASURY, amount: 50n },
        { role: "owner", account: OWNER, amount: 285n },
        { role: "agent", account: AGENT, amount: 100n },
        { role: "contributor", account: alice, amount: 399n, contributionId: 1n },
        { role: "contributor", account: bob, amount: 266n, contributionId: 2n },
      ],
    });
  });

  it("1 wei: protocol and owner floor to 0, the wei goes to the largest ppm remainder", () => {
    // protocol = floor(500/10000) = 0; owner = floor(3000/10000) = 0; data = 1
    // 1 × 333334 / 1e6 → 0 rem 333334; the others 0 rem 333333 → contribution 1 gets the unit
    const r = splitFee({
      ...base,
      price: 1n,
      attribution: [
        { contributionId: 1n, ppm: 333_334 },
        { contributionId: 2n, ppm: 333_333 },
        { contributionId: 3n, ppm: 333_333 },
      ],
    });
    expect(r).toEqual({
      charged: 1n,
      agentFee: 0n,
      parts: [{ role: "contributor", account: alice, amount: 1n, contributionId: 1n }],
    });
  });

  it("equal remainders go to the smaller contribution ids", () => {
    // protocol 0, split 0/10000: data = 10; four × 250000 ppm → 2.5 each: floors 2, remainders equal,
    // 2 units left → ids 2 and 4 (the two smallest) get 3, ids 6 and 9 get 2
    const r = splitFee({
      ...base,
      price: 10n,
      protocolFeeBps: 0,
      split: { ownerBps: 0, dataBps: 10_000 },
      contributions: payouts([2n, 4n, 6n, 9n]),
      attribution: [9n, 2n, 6n, 4n].map((contributionId) => ({ contributionId, ppm: 250_000 })),
    });
    expect(r.parts.map((p) => [p.contributionId, p.amount])).toEqual([
      [2n, 3n],
      [4n, 3n],
      [6n, 2n],
      [9n, 2n],
    ]);
  });

  it("no attribution: the data part goes to the fallback by token count", () => {
    // protocol 0; owner = floor(1000 × 5000 / 10000) = 500; data 500 split 300:100 tokens → 375, 125
    const r = splitFee({
      ...base,
      protocolFeeBps: 0,
      split: { ownerBps: 5_000, dataBps: 5_000 },
      fallback: [
        { contributionId: 1n, tokens: 300 },
        { contributionId: 2n, tokens: 100 },
      ],
    });
    expect(r.parts).toEqual([
      { role: "owner", account: OWNER, amount: 500n },
      { role: "contributor", account: alice, amount: 375n, contributionId: 1n },
      { role: "contributor", account: bob, amount: 125n, contributionId: 2n },
    ]);
  });

  it("no attribution and no usable fallback: the data part goes to the owner", () => {
    // protocol = floor(1001 × 250 / 10000) = floor(25.025) = 25; rest 976
    // owner = floor(976 × 2000 / 10000) = floor(195.2) = 195; data = 781 → owner gets 195 + 781 = 976
    for (const fallback of [[], [{ contributionId: 1n, tokens: 0 }]]) {
      const r = splitFee({
        ...base,
        price: 1_001n,
        protocolFeeBps: 250,
        split: { ownerBps: 2_000, dataBps: 8_000 },
        fallback,
      });
      expect(r.parts).toEqual([
        { role: "protocol", account: TREASURY, amount: 25n },
        { role: "owner", account: OWNER, amount: 976n },
      ]);
    }
  });

  it("contributions sharing a payout keep one part each", () => {
    // data = 950 − 285 = 665; 1 and 3 both pay alice: 665 × 0.5 = 332.5 each → floors 332, 1 left → id 1
    const r = splitFee({
      ...base,
      attribution: [
        { contributionId: 3n, ppm: 500_000 },
        { contributionId: 1n, ppm: 500_000 },
      ],
    });
    expect(r.parts.slice(2)).toEqual([
      { role: "contributor", account: alice, amount: 333n, contributionId: 1n },
      { role: "contributor", account: alice, amount: 332n, contributionId: 3n },
    ]);
    expect(sum(r.parts)).toBe(1_000n);
  });

  it("stays exact at p = 2^128 − 1 with a 100% agent fee", () => {
    // p = 340282366920938463463374607431768211455 (p mod 5 = 0, since 2^4 ≡ 1 mod 5)
    // agentFee = p; charged = 2p; protocol = p / 5 = 68056473384187692692674921486353642291
    // rest = 4p/5 = 272225893536750770770699685945414569164; owner = floor(rest / 10000)
    //   = 27222589353675077077069968594541456; data = rest − owner
    //   = 272198670947397095693622615976820027708 (all to contribution 1)
    const p = (1n << 128n) - 1n;
    const r = splitFee({
      ...base,
      price: p,
      protocolFeeBps: 2_000,
      agentFeeBps: 10_000,
      agentOperator: AGENT,
      split: { ownerBps: 1, dataBps: 9_999 },
      attribution: [{ contributionId: 1n, ppm: 1_000_000 }],
    });
    expect(r.charged).toBe(680564733841876926926749214863536422910n);
    expect(r.parts.map((x) => x.amount)).toEqual([
      68056473384187692692674921486353642291n,
      27222589353675077077069968594541456n,
      p,
      272198670947397095693622615976820027708n,
    ]);
  });

  it("price 0 gives no parts", () => {
    expect(splitFee({ ...base, price: 0n, attribution: [{ contributionId: 1n, ppm: 1_000_000 }] })).toEqual({
      charged: 0n,
      agentFee: 0n,
      parts: [],
    });
  });

  it("refuses programmer errors with typed codes", () => {
    const code = (p: Partial<SplitFeeParameters>) => {
      try {
        splitFee({ ...base, ...p });
      } catch (e) {
        expect(e).toBeInstanceOf(SettlementError);
        expect((e as SettlementError).hint.length).toBeGreaterThan(0);
        return (e as SettlementError).code;
      }
      return "no error";
    };
    expect(code({ split: { ownerBps: 3_000, dataBps: 6_999 } })).toBe("INVALID_SPLIT");
    expect(code({ price: -1n })).toBe("INVALID_AMOUNT");
    expect(code({ protocolFeeBps: 10_001 })).toBe("INVALID_BPS");
    expect(code({ agentFeeBps: 1.5 })).toBe("INVALID_BPS");
    expect(code({ agentFeeBps: 100 })).toBe("MISSING_AGENT_OPERATOR");
    expect(code({ attribution: [{ contributionId: 1n, ppm: 999_999 }] })).toBe("INVALID_ATTRIBUTION");
    expect(
      code({
        attribution: [
          { contributionId: 1n, ppm: 500_000 },
          { contributionId: 1n, ppm: 500_000 },
        ],
      }),
    ).toBe("INVALID_ATTRIBUTION");
    expect(code({ attribution: [{ contributionId: 77n, ppm: 1_000_000 }] })).toBe("UNKNOWN_CONTRIBUTION");
    expect(code({ fallback: [{ contributionId: 77n, tokens: 5 }] })).toBe("UNKNOWN_CONTRIBUTION");
    expect(code({ fallback: [{ contributionId: 1n, tokens: -5 }] })).toBe("INVALID_FALLBACK");
    expect(code({ owner: "0x1234" })).toBe("INVALID_ADDRESS");
    expect(code({})).toBe("no error");
  });
});

const ROLE_RANK = { protocol: 0, owner: 1, agent: 2, contributor: 3 } as const;

const arbParameters = fc
  .record({
    price: arbAmount,
    protocolFeeBps: arbBps,
    agentFeeBps: arbBps,
    ownerBps: arbBps,
    attribution: arbAttribution,
    fallback: arbFallback,
  })
  .map(
    (r): SplitFeeParameters => ({
      price: r.price,
      protocolFeeBps: r.protocolFeeBps,
      agentFeeBps: r.agentFeeBps,
      agentOperator: AGENT,
      split: { ownerBps: r.ownerBps, dataBps: 10_000 - r.ownerBps },
      attribution: r.attribution,
      contributions: allContributions,
      fallback: r.fallback,
      treasury: TREASURY,
      owner: OWNER,
    }),
  );

describe("splitFee (properties, random inputs from 1 wei to 2^128)", () => {
  it("Σ parts = charged = price + agentFee, every part > 0, canonical order, deterministic", () => {
    fc.assert(
      fc.property(arbParameters, (p) => {
        const r = splitFee(p);
        expect(r.charged).toBe(p.price + (p.price * BigInt(p.agentFeeBps ?? 0)) / 10_000n);
        expect(sum(r.parts)).toBe(r.charged);
        for (const part of r.parts) expect(part.amount > 0n).toBe(true);
        for (let i = 1; i < r.parts.length; i++) {
          const a = r.parts[i - 1]!;
          const b = r.parts[i]!;
          const order =
            ROLE_RANK[a.role] - ROLE_RANK[b.role] || (a.contributionId! < b.contributionId! ? -1 : 1);
          expect(order).toBeLessThan(0);
        }
        const reversed = splitFee({
          ...p,
          attribution: [...p.attribution].reverse(),
          fallback: [...p.fallback].reverse(),
        });
        expect(reversed).toEqual(r);
      }),
      { numRuns: 400 },
    );
  });

  it("the agent fee never reduces what the protocol, the owner or contributors earn", () => {
    fc.assert(
      fc.property(arbParameters, (p) => {
        const withAgent = splitFee(p).parts.filter((x) => x.role !== "agent");
        const without = splitFee({ ...p, agentFeeBps: 0 }).parts;
        expect(withAgent).toEqual(without);
        expect(sum(without)).toBe(p.price);
      }),
      { numRuns: 200 },
    );
  });

  it("pays contributors only by attribution, else by fallback tokens, else the owner", () => {
    fc.assert(
      fc.property(arbParameters, (p) => {
        const r = splitFee(p);
        const paid = r.parts.filter((x) => x.role === "contributor").map((x) => x.contributionId!);
        const protocol = (p.price * BigInt(p.protocolFeeBps)) / 10_000n;
        expect(r.parts.find((x) => x.role === "protocol")?.amount ?? 0n).toBe(protocol);
        const rest = p.price - protocol;
        const ownerFloor = (rest * BigInt(p.split.ownerBps)) / 10_000n;
        const owner = r.parts.find((x) => x.role === "owner")?.amount ?? 0n;
        if (p.attribution.length > 0) {
          const allowed = new Set(p.attribution.filter((s) => s.ppm > 0).map((s) => s.contributionId));
          for (const id of paid) expect(allowed.has(id)).toBe(true);
          expect(owner).toBe(ownerFloor);
        } else if (p.fallback.some((f) => f.tokens > 0)) {
          const allowed = new Set(p.fallback.filter((f) => f.tokens > 0).map((f) => f.contributionId));
          for (const id of paid) expect(allowed.has(id)).toBe(true);
          expect(owner).toBe(ownerFloor);
        } else {
          expect(paid).toEqual([]);
          expect(owner).toBe(rest);
        }
      }),
      { numRuns: 300 },
    );
  });
});
