import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { settlementAbi, settlementBytecode, tributaryTokenAbi } from "@tributary/abi";
import {
  type Address,
  BaseError,
  decodeErrorResult,
  encodeDeployData,
  getAddress,
  type Hex,
  keccak256,
  parseEventLogs,
  recoverAddress,
  type TransactionReceipt,
  toHex,
  zeroAddress,
} from "viem";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  approveAndDeposit,
  claim as claimAction,
  type EpochReport,
  getFinalizedEpoch,
  getPendingEpoch,
  hashEpochReport,
  hashEpochReportOffline,
  signEpochReport,
  submitEpoch as submitEpochAction,
} from "../../packages/sdk/src/actions/settlement.ts";
import { createTributaryClient, type TributaryClient } from "../../packages/sdk/src/client.ts";
import { ContractRevertError } from "../../packages/sdk/src/errors/ContractRevertError.ts";
import { settlementHints } from "../../packages/sdk/src/errors/hints/settlement.ts";
import { expectRevert, mined, setupTestChain, type TestChain, type Wallet } from "./fixture.ts";

const E18 = 10n ** 18n;
const WINDOW = 3600n;
const DELAY = 86_400n;

let chain: TestChain;
let S: Address;
let T: Address;
let snap: Hex;
let owner: Address;
let guardian: Address;
let attestor: TestChain["accounts"][number];
let alice: Address; // payer
let bob: Address; // payer
let carol: Address; // contributor
let dave: Address; // contributor / relayer

const W = (i: number): Wallet => chain.wallets[i]!;
const OWNER = 0;
const GUARDIAN = 2;
const ALICE = 6;
const BOB = 7;
const CAROL = 8;
const DAVE = 9;

async function send(
  from: number,
  functionName: string,
  args: readonly unknown[] = [],
): Promise<TransactionReceipt> {
  const hash = await W(from).writeContract({ address: S, abi: settlementAbi, functionName, args } as never);
  return mined(chain, hash);
}
function call(from: number, functionName: string, args: readonly unknown[] = []): Promise<unknown> {
  return W(from).writeContract({ address: S, abi: settlementAbi, functionName, args } as never);
}
function read<R>(functionName: string, args: readonly unknown[] = []): Promise<R> {
  return chain.publicClient.readContract({
    address: S,
    abi: settlementAbi,
    functionName,
    args,
  } as never) as Promise<R>;
}
function events(receipt: TransactionReceipt, eventName: string) {
  return parseEventLogs({ abi: settlementAbi, logs: receipt.logs, eventName } as never) as unknown as {
    args: Record<string, unknown>;
  }[];
}
async function tokenBalance(a: Address): Promise<bigint> {
  return chain.publicClient.readContract({
    address: T,
    abi: tributaryTokenAbi,
    functionName: "balanceOf",
    args: [a],
  });
}
async function now(): Promise<bigint> {
  return (await chain.publicClient.getBlock()).timestamp;
}
async function elapse(seconds: bigint) {
  await chain.testClient.increaseTime({ seconds: Number(seconds) });
  await chain.testClient.mine({ blocks: 1 });
}

/** A cumulative tree over `(address, uint256)` with the OpenZeppelin reference implementation. */
function tree(entries: [Address, bigint][]) {
  const t = StandardMerkleTree.of(
    entries.map(([a, v]) => [a, v.toString()]),
    ["address", "uint256"],
  );
  return {
    root: t.root as Hex,
    proof: (a: Address) => {
      for (const [i, v] of t.entries())
        if ((v[0] as string).toLowerCase() === a.toLowerCase()) return t.getProof(i) as Hex[];
      throw new Error(`${a} not in tree`);
    },
  };
}

type Epoch = {
  report: EpochReport;
  charges: ReturnType<typeof tree>;
  rewards: ReturnType<typeof tree>;
};

/** Builds a report whose totals are the sums of its leaves. */
function epoch(
  n: bigint,
  charges: [Address, bigint][],
  rewards: [Address, bigint][],
  extra: Partial<EpochReport> = {},
): Epoch {
  const c = tree(charges);
  const r = tree(rewards);
  return {
    charges: c,
    rewards: r,
    report: {
      epoch: n,
      chargesRoot: c.root,
      rewardsRoot: r.root,
      cumulativeCharged: charges.reduce((s, [, v]) => s + v, 0n),
      cumulativeRewards: rewards.reduce((s, [, v]) => s + v, 0n),
      receiptsRoot: keccak256(toHex(`receipts-${n}`)),
      bundleURI: `ipfs://bundle-${n}`,
      ...extra,
    },
  };
}

async function sign(
  report: EpochReport,
  signer = attestor,
  chainId = chain.publicClient.chain.id,
  at: Address = S,
) {
  return signEpochReport(signer, chainId, at, report);
}
async function submit(report: EpochReport, from = DAVE) {
  return send(from, "submitEpoch", [report, [await sign(report)]]);
}
async function submitAndFinalize(report: EpochReport) {
  await submit(report);
  await elapse(WINDOW);
  return send(DAVE, "finalizeEpoch", [report.epoch]);
}

async function fund(i: number, amount: bigint) {
  await mined(
    chain,
    W(OWNER).writeContract({
      address: T,
      abi: tributaryTokenAbi,
      functionName: "mint",
      args: [chain.accounts[i]!.address, amount],
    }),
  );
  await mined(
    chain,
    W(i).writeContract({ address: T, abi: tributaryTokenAbi, functionName: "approve", args: [S, amount] }),
  );
}
async function deposit(i: number, amount: bigint) {
  await fund(i, amount);
  return send(i, "deposit", [amount]);
}

function sdk(i: number): TributaryClient {
  return createTributaryClient({
    publicClient: chain.publicClient,
    walletClient: W(i),
    addresses: chain.deployment.contracts,
  });
}

/** Calls the constructor with `args` and asserts the exact custom error it reverts with. */
async function expectDeployRevert(
  args: readonly unknown[],
  errorName: string,
  errorArgs: readonly unknown[],
) {
  const data = encodeDeployData({ abi: settlementAbi, bytecode: settlementBytecode, args } as never);
  let caught: unknown;
  try {
    await chain.publicClient.call({ account: owner, data });
  } catch (e) {
    caught = e;
  }
  expect(caught, "deployment succeeded").toBeInstanceOf(BaseError);
  const withData = (caught as BaseError).walk((e) => typeof (e as { data?: unknown }).data === "string") as {
    data: Hex;
  } | null;
  expect(withData).toBeTruthy();
  const decoded = decodeErrorResult({ abi: settlementAbi, data: withData!.data });
  expect(decoded.errorName).toBe(errorName);
  expect(decoded.args ?? []).toEqual(errorArgs);
}

beforeAll(async () => {
  chain = await setupTestChain();
  S = chain.deployment.contracts.settlement;
  T = chain.deployment.contracts.token;
  owner = chain.roles.owner;
  guardian = chain.roles.guardian;
  attestor = chain.accounts[3]!;
  [alice, bob, carol, dave] = chain.roles.users as [Address, Address, Address, Address];
});
afterAll(() => chain?.stop());
beforeEach(async () => {
  if (snap) await chain.revert(snap);
  snap = await chain.snapshot();
});

describe("constructor", () => {
  it("test_constructor_setsEveryParameter", async () => {
    expect(await read("token")).toBe(getAddress(T));
    expect(await read("owner")).toBe(owner);
    expect(await read("attestors")).toEqual([attestor.address]);
    expect(await read("quorum")).toBe(1n);
    expect(await read("challengeWindow")).toBe(WINDOW);
    expect(await read("withdrawalDelay")).toBe(DELAY);
    expect(await read("protocolFeeBps")).toBe(500);
    expect(await read("treasury")).toBe(chain.roles.treasury);
    expect(await read("guardian")).toBe(guardian);
    expect(await read("nextEpoch")).toBe(1n);
    expect((await read<{ epoch: bigint }>("finalizedEpoch")).epoch).toBe(0n);
  });

  it("test_constructor_emitsAnEventPerSetting", async () => {
    const logs = await chain.publicClient.getContractEvents({
      address: S,
      abi: settlementAbi,
      fromBlock: 0n,
    });
    const names = logs.map((l) => l.eventName);
    expect(names).toEqual([
      "OwnershipTransferred",
      "AttestorAdded",
      "QuorumUpdated",
      "ChallengeWindowUpdated",
      "WithdrawalDelayUpdated",
      "ProtocolFeeUpdated",
      "TreasuryUpdated",
      "GuardianUpdated",
    ]);
  });

  it("test_constructor_revertsWhenAParameterIsInvalid", async () => {
    const ok = [
      T,
      owner,
      [attestor.address],
      1n,
      WINDOW,
      DELAY,
      500,
      chain.roles.treasury,
      guardian,
    ] as const;
    const withArg = (i: number, v: unknown) => ok.map((x, j) => (j === i ? v : x));
    await expectDeployRevert(withArg(0, zeroAddress), "SettlementZeroAddress", ["token"]);
    await expectDeployRevert(withArg(2, [attestor.address, attestor.address]), "SettlementAttestorExists", [
      attestor.address,
    ]);
    await expectDeployRevert(withArg(2, [zeroAddress]), "SettlementZeroAddress", ["attestor"]);
    await expectDeployRevert(withArg(3, 0n), "SettlementInvalidQuorum", [0n, 1n]);
    await expectDeployRevert(withArg(3, 2n), "SettlementInvalidQuorum", [2n, 1n]);
    await expectDeployRevert(withArg(4, 30n * 86_400n + 1n), "SettlementDurationTooLong", [
      30n * 86_400n + 1n,
      30n * 86_400n,
    ]);
    await expectDeployRevert(withArg(5, 31n * 86_400n), "SettlementDurationTooLong", [
      31n * 86_400n,
      30n * 86_400n,
    ]);
    await expectDeployRevert(withArg(6, 2001), "SettlementProtocolFeeTooHigh", [2001, 2000]);
    await expectDeployRevert(withArg(7, zeroAddress), "SettlementZeroAddress", ["treasury"]);
    await expectDeployRevert(withArg(8, zeroAddress), "SettlementZeroAddress", ["guardian"]);
    await expectDeployRevert(withArg(1, zeroAddress), "OwnableInvalidOwner", [zeroAddress]);
  });
});

describe("owner settings", () => {
  const cases: { fn: string; args: readonly unknown[]; view: string; expected: unknown; event: string }[] = [
    { fn: "setQuorum", args: [1n], view: "quorum", expected: 1n, event: "QuorumUpdated" },
    {
      fn: "setChallengeWindow",
      args: [7200n],
      view: "challengeWindow",
      expected: 7200n,
      event: "ChallengeWindowUpdated",
    },
    {
      fn: "setWithdrawalDelay",
      args: [600n],
      view: "withdrawalDelay",
      expected: 600n,
      event: "WithdrawalDelayUpdated",
    },
    {
      fn: "setProtocolFeeBps",
      args: [2000],
      view: "protocolFeeBps",
      expected: 2000,
      event: "ProtocolFeeUpdated",
    },
  ];
  for (const c of cases) {
    it(`test_${c.fn}_updatesAndEmits`, async () => {
      const r = await send(OWNER, c.fn, c.args);
      expect(await read(c.view)).toEqual(c.expected);
      expect(events(r, c.event)).toHaveLength(1);
    });
    it(`test_${c.fn}_revertsWhenNotOwner`, async () => {
      await expectRevert(call(ALICE, c.fn, c.args), "OwnableUnauthorizedAccount", [alice]);
    });
  }

  it("test_setTreasury_setGuardian_updateAndEmitWithPreviousValue", async () => {
    let r = await send(OWNER, "setTreasury", [carol]);
    expect(events(r, "TreasuryUpdated")[0]!.args).toEqual({
      previousTreasury: chain.roles.treasury,
      treasury: carol,
    });
    expect(await read("treasury")).toBe(carol);
    r = await send(OWNER, "setGuardian", [dave]);
    expect(events(r, "GuardianUpdated")[0]!.args).toEqual({ previousGuardian: guardian, guardian: dave });
    expect(await read("guardian")).toBe(dave);
  });

  it("test_ownerSetters_revertWhenNotOwner", async () => {
    for (const [fn, args] of [
      ["setTreasury", [carol]],
      ["setGuardian", [carol]],
      ["addAttestor", [carol]],
      ["removeAttestor", [attestor.address]],
    ] as const) {
      await expectRevert(call(GUARDIAN, fn, args), "OwnableUnauthorizedAccount", [guardian]);
    }
  });

  it("test_ownerSetters_revertOnInvalidValues", async () => {
    await expectRevert(call(OWNER, "setQuorum", [0n]), "SettlementInvalidQuorum", [0n, 1n]);
    await expectRevert(call(OWNER, "setQuorum", [2n]), "SettlementInvalidQuorum", [2n, 1n]);
    await expectRevert(call(OWNER, "setChallengeWindow", [2_592_001n]), "SettlementDurationTooLong", [
      2_592_001n,
      2_592_000n,
    ]);
    await expectRevert(call(OWNER, "setWithdrawalDelay", [2_592_001n]), "SettlementDurationTooLong", [
      2_592_001n,
      2_592_000n,
    ]);
    await expectRevert(
      call(OWNER, "setProtocolFeeBps", [2001]),
      "SettlementProtocolFeeTooHigh",
      [2001, 2000],
    );
    await expectRevert(call(OWNER, "setTreasury", [zeroAddress]), "SettlementZeroAddress", ["treasury"]);
    await expectRevert(call(OWNER, "setGuardian", [zeroAddress]), "SettlementZeroAddress", ["guardian"]);
  });

  it("test_addAttestor_removeAttestor_keepTheSetAndQuorumConsistent", async () => {
    let r = await send(OWNER, "addAttestor", [carol]);
    expect(events(r, "AttestorAdded")[0]!.args).toEqual({ attestor: carol });
    expect(await read("isAttestor", [carol])).toBe(true);
    await expectRevert(call(OWNER, "addAttestor", [carol]), "SettlementAttestorExists", [carol]);
    await expectRevert(call(OWNER, "addAttestor", [zeroAddress]), "SettlementZeroAddress", ["attestor"]);
    await send(OWNER, "setQuorum", [2n]);
    await expectRevert(call(OWNER, "removeAttestor", [carol]), "SettlementInvalidQuorum", [2n, 1n]);
    await send(OWNER, "setQuorum", [1n]);
    r = await send(OWNER, "removeAttestor", [carol]);
    expect(events(r, "AttestorRemoved")[0]!.args).toEqual({ attestor: carol });
    expect(await read("attestors")).toEqual([attestor.address]);
    await expectRevert(call(OWNER, "removeAttestor", [carol]), "SettlementAttestorNotFound", [carol]);
    await expectRevert(call(OWNER, "removeAttestor", [attestor.address]), "SettlementInvalidQuorum", [
      1n,
      0n,
    ]);
  });

  it("test_transferOwnership_isTwoStep", async () => {
    await send(OWNER, "transferOwnership", [carol]);
    expect(await read("owner")).toBe(owner);
    expect(await read("pendingOwner")).toBe(carol);
    await expectRevert(call(DAVE, "acceptOwnership"), "OwnableUnauthorizedAccount", [dave]);
    await send(CAROL, "acceptOwnership");
    expect(await read("owner")).toBe(carol);
    await expectRevert(call(OWNER, "setProtocolFeeBps", [1]), "OwnableUnauthorizedAccount", [owner]);
  });
});

describe("deposits", () => {
  it("test_deposit_creditsTheCallerAndPullsTokens", async () => {
    const r = await deposit(ALICE, 100n * E18);
    expect(events(r, "Deposited")[0]!.args).toEqual({ payer: alice, from: alice, amount: 100n * E18 });
    expect(await read("deposited", [alice])).toBe(100n * E18);
    expect(await read("totalDeposited")).toBe(100n * E18);
    expect(await tokenBalance(S)).toBe(100n * E18);
    expect(await tokenBalance(alice)).toBe(0n);
  });

  it("test_depositFor_creditsThePayerNotTheSender", async () => {
    await fund(BOB, 5n * E18);
    const r = await send(BOB, "depositFor", [alice, 5n * E18]);
    expect(events(r, "Deposited")[0]!.args).toEqual({ payer: alice, from: bob, amount: 5n * E18 });
    expect(await read("deposited", [alice])).toBe(5n * E18);
    expect(await read("deposited", [bob])).toBe(0n);
  });

  it("test_deposit_revertsWhenZeroOrZeroPayer", async () => {
    await expectRevert(call(ALICE, "deposit", [0n]), "SettlementZeroAmount", []);
    await expectRevert(call(ALICE, "depositFor", [zeroAddress, 1n]), "SettlementZeroAddress", ["payer"]);
    await expectRevert(call(ALICE, "depositFor", [bob, 0n]), "SettlementZeroAmount", []);
  });

  it("test_approveAndDeposit_approvesOnlyWhenNeeded", async () => {
    await mined(
      chain,
      W(OWNER).writeContract({
        address: T,
        abi: tributaryTokenAbi,
        functionName: "mint",
        args: [alice, 10n],
      }),
    );
    const first = await approveAndDeposit(sdk(ALICE), { amount: 4n });
    expect(first.approval).toBeDefined();
    await mined(
      chain,
      W(ALICE).writeContract({ address: T, abi: tributaryTokenAbi, functionName: "approve", args: [S, 6n] }),
    );
    const second = await approveAndDeposit(sdk(ALICE), { amount: 6n, payer: bob });
    expect(second.approval).toBeUndefined();
    expect(await read("deposited", [alice])).toBe(4n);
    expect(await read("deposited", [bob])).toBe(6n);
  });
});

describe("epochs", () => {
  beforeEach(async () => {
    await deposit(ALICE, 100n);
  });

  it("test_submitEpoch_acceptsASignedReportFromAnyRelayer", async () => {
    const e = epoch(
      1n,
      [[alice, 40n]],
      [
        [carol, 30n],
        [dave, 10n],
      ],
    );
    const digest = hashEpochReportOffline({
      chainId: chain.publicClient.chain.id,
      settlement: S,
      report: e.report,
    });
    expect(await read("hashEpochReport", [e.report])).toBe(digest);
    expect(await hashEpochReport(sdk(DAVE), { report: e.report })).toBe(digest);
    const r = await submit(e.report, BOB);
    const t = await now();
    const [ev] = events(r, "EpochSubmitted");
    expect(ev!.args).toEqual({
      epoch: 1n,
      digest,
      chargesRoot: e.charges.root,
      rewardsRoot: e.rewards.root,
      cumulativeCharged: 40n,
      cumulativeRewards: 40n,
      receiptsRoot: e.report.receiptsRoot,
      bundleURI: "ipfs://bundle-1",
      signers: [attestor.address],
      challengeEndsAt: t + WINDOW,
    });
    const pending = await getPendingEpoch(sdk(DAVE));
    expect(pending).toMatchObject({
      epoch: 1n,
      submittedAt: t,
      challengeEndsAt: t + WINDOW,
      finalizedAt: 0n,
      digest,
    });
    expect(await read("nextEpoch")).toBe(2n);
  });

  it("test_submitEpoch_viaSdkReturnsDigestAndWindow", async () => {
    const e = epoch(1n, [[alice, 1n]], [[carol, 1n]]);
    const out = await submitEpochAction(sdk(DAVE), { report: e.report, signatures: [await sign(e.report)] });
    expect(out.digest).toBe(await read("hashEpochReport", [e.report]));
    expect(out.challengeEndsAt).toBe((await now()) + WINDOW);
  });

  it("test_submitEpoch_revertsWhenEpochIsNotNext", async () => {
    await expectRevert(
      call(DAVE, "submitEpoch", [epoch(2n, [[alice, 1n]], [[carol, 1n]]).report, []]),
      "SettlementUnexpectedEpoch",
      [2n, 1n],
    );
    const zero = epoch(0n, [[alice, 1n]], [[carol, 1n]]).report;
    await expectRevert(call(DAVE, "submitEpoch", [zero, [await sign(zero)]]), "SettlementUnexpectedEpoch", [
      0n,
      1n,
    ]);
  });

  it("test_submitEpoch_revertsWhileAnotherIsPending", async () => {
    await submit(epoch(1n, [[alice, 1n]], [[carol, 1n]]).report);
    const next = epoch(2n, [[alice, 2n]], [[carol, 2n]]).report;
    await expectRevert(call(DAVE, "submitEpoch", [next, [await sign(next)]]), "SettlementEpochPending", [1n]);
  });

  it("test_submitEpoch_rejectsReplayOfAnEarlierEpochsReport", async () => {
    const e1 = epoch(1n, [[alice, 1n]], [[carol, 1n]]).report;
    const sig = await sign(e1);
    await send(DAVE, "submitEpoch", [e1, [sig]]);
    await elapse(WINDOW);
    await send(DAVE, "finalizeEpoch", [1n]);
    await expectRevert(call(DAVE, "submitEpoch", [e1, [sig]]), "SettlementUnexpectedEpoch", [1n, 2n]);
    // The epoch-1 signature over an epoch-2 report recovers some other address.
    const e2 = { ...e1, epoch: 2n };
    const recovered = await recoverAddress({
      hash: await read<Hex>("hashEpochReport", [e2]),
      signature: sig,
    });
    await expectRevert(call(DAVE, "submitEpoch", [e2, [sig]]), "SettlementSignerNotAttestor", [recovered]);
  });

  it("test_submitEpoch_rejectsSignaturesForAnotherChainOrContract", async () => {
    const e = epoch(1n, [[alice, 1n]], [[carol, 1n]]).report;
    const digest = await read<Hex>("hashEpochReport", [e]);
    for (const sig of [
      await sign(e, attestor, 1),
      await sign(e, attestor, 1612),
      await sign(e, attestor, undefined, T),
    ]) {
      const recovered = await recoverAddress({ hash: digest, signature: sig });
      expect(recovered).not.toBe(attestor.address);
      await expectRevert(call(DAVE, "submitEpoch", [e, [sig]]), "SettlementSignerNotAttestor", [recovered]);
    }
  });

  it("test_submitEpoch_rejectsNonAttestorMissingAndMalformedSignatures", async () => {
    const e = epoch(1n, [[alice, 1n]], [[carol, 1n]]).report;
    await expectRevert(
      call(DAVE, "submitEpoch", [e, [await sign(e, chain.accounts[4]!)]]),
      "SettlementSignerNotAttestor",
      [chain.accounts[4]!.address],
    );
    await expectRevert(call(DAVE, "submitEpoch", [e, []]), "SettlementQuorumNotReached", [0n, 1n]);
    const sig = await sign(e);
    await expectRevert(
      call(DAVE, "submitEpoch", [e, [sig.slice(0, 130) as Hex]]),
      "SettlementInvalidSignature",
      [0n],
    );
    await expectRevert(call(DAVE, "submitEpoch", [e, [sig, sig]]), "SettlementDuplicateSigner", [
      attestor.address,
    ]);
    // A tampered report does not recover to the attestor.
    const tampered = { ...e, bundleURI: "ipfs://elsewhere" };
    const recovered = await recoverAddress({
      hash: await read<Hex>("hashEpochReport", [tampered]),
      signature: sig,
    });
    await expectRevert(call(DAVE, "submitEpoch", [tampered, [sig]]), "SettlementSignerNotAttestor", [
      recovered,
    ]);
  });

  it("test_submitEpoch_revertsWhenTotalsBreakTheInvariants", async () => {
    const bad = async (r: EpochReport, name: string, args: unknown[]) =>
      expectRevert(call(DAVE, "submitEpoch", [r, [await sign(r)]]), name, args);
    const base = epoch(1n, [[alice, 50n]], [[carol, 20n]]).report;
    await bad({ ...base, cumulativeRewards: 51n }, "SettlementRewardsExceedCharges", [51n, 50n]);
    await bad({ ...base, cumulativeCharged: 101n, cumulativeRewards: 0n }, "SettlementChargesExceedBacking", [
      101n,
      100n,
    ]);
    await submitAndFinalize(base);
    const next = epoch(2n, [[alice, 60n]], [[carol, 30n]]).report;
    await bad({ ...next, cumulativeCharged: 49n, cumulativeRewards: 20n }, "SettlementChargesDecreased", [
      49n,
      50n,
    ]);
    await bad({ ...next, cumulativeRewards: 19n }, "SettlementRewardsDecreased", [19n, 20n]);
    // Equal totals (an epoch without receipts) are fine.
    await submit({ ...next, cumulativeCharged: 50n, cumulativeRewards: 20n });
  });

  it("test_vetoEpoch_discardsThePendingReportAndFreesItsNumber", async () => {
    const e = epoch(1n, [[alice, 1n]], [[carol, 1n]]).report;
    const sig = await sign(e);
    await send(DAVE, "submitEpoch", [e, [sig]]);
    const digest = await read<Hex>("hashEpochReport", [e]);
    const r = await send(GUARDIAN, "vetoEpoch", [1n, "rewards root mismatch"]);
    expect(events(r, "EpochVetoed")[0]!.args).toEqual({
      epoch: 1n,
      digest,
      guardian,
      reason: "rewards root mismatch",
    });
    expect((await getPendingEpoch(sdk(DAVE))).epoch).toBe(0n);
    expect(await read("isVetoed", [digest])).toBe(true);
    expect(await read("nextEpoch")).toBe(1n);
    await expectRevert(call(DAVE, "submitEpoch", [e, [sig]]), "SettlementReportVetoed", [digest]);
    const fixed = epoch(1n, [[alice, 2n]], [[carol, 2n]]).report;
    await submit(fixed);
    expect((await getPendingEpoch(sdk(DAVE))).cumulativeCharged).toBe(2n);
  });

  it("test_vetoEpoch_revertsWhenNotGuardianNotPendingOrTooLate", async () => {
    await expectRevert(call(GUARDIAN, "vetoEpoch", [0n, ""]), "SettlementEpochNotPending", [0n]);
    await submit(epoch(1n, [[alice, 1n]], [[carol, 1n]]).report);
    const endsAt = (await getPendingEpoch(sdk(DAVE))).challengeEndsAt;
    await expectRevert(call(OWNER, "vetoEpoch", [1n, "x"]), "SettlementNotGuardian", [owner]);
    await expectRevert(call(DAVE, "vetoEpoch", [1n, "x"]), "SettlementNotGuardian", [dave]);
    await expectRevert(call(GUARDIAN, "vetoEpoch", [2n, "x"]), "SettlementEpochNotPending", [2n]);
    await elapse(WINDOW);
    await expectRevert(call(GUARDIAN, "vetoEpoch", [1n, "x"]), "SettlementChallengeWindowClosed", [
      1n,
      endsAt,
    ]);
  });

  it("test_finalizeEpoch_onlyAfterTheWindowByAnyone", async () => {
    const e = epoch(1n, [[alice, 40n]], [[carol, 30n]]);
    await submit(e.report);
    const pending = await getPendingEpoch(sdk(DAVE));
    await expectRevert(call(BOB, "finalizeEpoch", [1n]), "SettlementChallengeWindowOpen", [
      1n,
      pending.challengeEndsAt,
    ]);
    await elapse(WINDOW - 60n);
    await expectRevert(call(BOB, "finalizeEpoch", [1n]), "SettlementChallengeWindowOpen", [
      1n,
      pending.challengeEndsAt,
    ]);
    await expectRevert(call(BOB, "finalizeEpoch", [2n]), "SettlementEpochNotPending", [2n]);
    await elapse(60n);
    const r = await send(BOB, "finalizeEpoch", [1n]);
    const finalizedAt = (await chain.publicClient.getBlock({ blockNumber: r.blockNumber })).timestamp;
    expect(finalizedAt).toBeGreaterThanOrEqual(pending.challengeEndsAt);
    expect(events(r, "EpochFinalized")[0]!.args).toEqual({
      epoch: 1n,
      digest: pending.digest,
      chargesRoot: e.charges.root,
      rewardsRoot: e.rewards.root,
      cumulativeCharged: 40n,
      cumulativeRewards: 30n,
    });
    const fin = await getFinalizedEpoch(sdk(DAVE));
    expect(fin).toEqual({ ...pending, finalizedAt });
    expect((await getPendingEpoch(sdk(DAVE))).epoch).toBe(0n);
    await expectRevert(call(BOB, "finalizeEpoch", [1n]), "SettlementEpochNotPending", [1n]);
    await expectRevert(call(BOB, "finalizeEpoch", [0n]), "SettlementEpochNotPending", [0n]);
    expect(await read("nextEpoch")).toBe(2n);
  });

  it("test_setChallengeWindow_appliesToLaterReportsOnly", async () => {
    await submit(epoch(1n, [[alice, 1n]], [[carol, 1n]]).report);
    const endsAt = (await getPendingEpoch(sdk(DAVE))).challengeEndsAt;
    await send(OWNER, "setChallengeWindow", [10n * WINDOW]);
    expect((await getPendingEpoch(sdk(DAVE))).challengeEndsAt).toBe(endsAt);
    await elapse(WINDOW);
    await send(DAVE, "finalizeEpoch", [1n]);
    await submit(epoch(2n, [[alice, 2n]], [[carol, 2n]]).report);
    expect((await getPendingEpoch(sdk(DAVE))).challengeEndsAt).toBe((await now()) + 10n * WINDOW);
  });
});

describe("claims", () => {
  let e1: Epoch;
  beforeEach(async () => {
    await deposit(ALICE, 1000n);
    e1 = epoch(
      1n,
      [[alice, 100n]],
      [
        [carol, 60n],
        [dave, 30n],
        [chain.roles.treasury, 10n],
      ],
    );
    await submitAndFinalize(e1.report);
  });

  it("test_claim_paysTheCumulativeAmountAndEmits", async () => {
    const r = await send(CAROL, "claim", [carol, 60n, e1.rewards.proof(carol)]);
    expect(events(r, "Claimed")[0]!.args).toEqual({ account: carol, amount: 60n, cumulativeAmount: 60n });
    expect(await tokenBalance(carol)).toBe(60n);
    expect(await read("claimed", [carol])).toBe(60n);
    expect(await tokenBalance(S)).toBe(940n);
  });

  it("test_claim_forSomeoneElsePaysTheAccount", async () => {
    await send(BOB, "claim", [carol, 60n, e1.rewards.proof(carol)]);
    expect(await tokenBalance(carol)).toBe(60n);
    expect(await tokenBalance(bob)).toBe(0n);
  });

  it("test_claim_twicePaysOnce", async () => {
    await send(CAROL, "claim", [carol, 60n, e1.rewards.proof(carol)]);
    await expectRevert(
      call(CAROL, "claim", [carol, 60n, e1.rewards.proof(carol)]),
      "SettlementNothingToClaim",
      [carol, 60n, 60n],
    );
    expect(await tokenBalance(carol)).toBe(60n);
  });

  it("test_claim_paysTheIncreaseOfALaterEpoch", async () => {
    await send(CAROL, "claim", [carol, 60n, e1.rewards.proof(carol)]);
    const e2 = epoch(
      2n,
      [[alice, 300n]],
      [
        [carol, 200n],
        [dave, 70n],
        [chain.roles.treasury, 30n],
      ],
    );
    await submit(e2.report);
    // A pending report is not claimable yet.
    await expectRevert(
      call(CAROL, "claim", [carol, 200n, e2.rewards.proof(carol)]),
      "SettlementInvalidProof",
      [carol, 200n],
    );
    await elapse(WINDOW);
    await send(DAVE, "finalizeEpoch", [2n]);
    // The epoch-1 proof no longer verifies.
    await expectRevert(
      call(CAROL, "claim", [carol, 60n, e1.rewards.proof(carol)]),
      "SettlementInvalidProof",
      [carol, 60n],
    );
    const r = await send(DAVE, "claim", [carol, 200n, e2.rewards.proof(carol)]);
    expect(events(r, "Claimed")[0]!.args).toEqual({ account: carol, amount: 140n, cumulativeAmount: 200n });
    expect(await tokenBalance(carol)).toBe(200n);
    // dave never claimed epoch 1: he gets both epochs at once.
    await send(DAVE, "claim", [dave, 70n, e2.rewards.proof(dave)]);
    expect(await tokenBalance(dave)).toBe(70n);
  });

  it("test_claim_revertsOnABadProofAmountOrAccount", async () => {
    await expectRevert(
      call(CAROL, "claim", [carol, 61n, e1.rewards.proof(carol)]),
      "SettlementInvalidProof",
      [carol, 61n],
    );
    await expectRevert(call(CAROL, "claim", [bob, 60n, e1.rewards.proof(carol)]), "SettlementInvalidProof", [
      bob,
      60n,
    ]);
    await expectRevert(call(CAROL, "claim", [carol, 60n, []]), "SettlementInvalidProof", [carol, 60n]);
    // A charges-tree leaf is not a rewards-tree leaf.
    await expectRevert(
      call(ALICE, "claim", [alice, 100n, e1.charges.proof(alice)]),
      "SettlementInvalidProof",
      [alice, 100n],
    );
  });

  it("test_claim_revertsBeforeAnyFinalization", async () => {
    await chain.revert(snap);
    snap = await chain.snapshot();
    await expectRevert(call(CAROL, "claim", [carol, 1n, []]), "SettlementNoFinalizedEpoch", []);
    await expectRevert(
      call(CAROL, "claimMany", [[{ account: carol, cumulativeAmount: 1n, proof: [] }]]),
      "SettlementNoFinalizedEpoch",
      [],
    );
  });

  it("test_claimMany_paysEveryAccountAllOrNothing", async () => {
    const claims = [
      { account: carol, cumulativeAmount: 60n, proof: e1.rewards.proof(carol) },
      { account: dave, cumulativeAmount: 30n, proof: e1.rewards.proof(dave) },
    ];
    await expectRevert(
      call(BOB, "claimMany", [
        [
          ...claims,
          {
            account: chain.roles.treasury,
            cumulativeAmount: 11n,
            proof: e1.rewards.proof(chain.roles.treasury),
          },
        ],
      ]),
      "SettlementInvalidProof",
      [chain.roles.treasury, 11n],
    );
    await expectRevert(call(BOB, "claimMany", [[claims[0], claims[0]]]), "SettlementNothingToClaim", [
      carol,
      60n,
      60n,
    ]);
    const r = await send(BOB, "claimMany", [claims]);
    expect(events(r, "Claimed").map((e) => e.args)).toEqual([
      { account: carol, amount: 60n, cumulativeAmount: 60n },
      { account: dave, amount: 30n, cumulativeAmount: 30n },
    ]);
    expect(await tokenBalance(carol)).toBe(60n);
    expect(await tokenBalance(dave)).toBe(30n);
    expect(await tokenBalance(bob)).toBe(0n);
  });

  it("test_claim_sdkReturnsAmountAndDecodesRevertsWithAHint", async () => {
    const out = await claimAction(sdk(DAVE), {
      account: carol,
      cumulativeAmount: 60n,
      proof: e1.rewards.proof(carol),
    });
    expect(out.amount).toBe(60n);
    const error = await claimAction(sdk(DAVE), {
      account: carol,
      cumulativeAmount: 60n,
      proof: e1.rewards.proof(carol),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractRevertError);
    expect((error as ContractRevertError).errorName).toBe("SettlementNothingToClaim");
    expect((error as ContractRevertError).args).toEqual([carol, 60n, 60n]);
  });
});

describe("withdrawals", () => {
  /** alice deposits 100, epoch 1 charges her 30 (bob: 0, for the zero-leaf case). */
  let e1: Epoch;
  beforeEach(async () => {
    await deposit(ALICE, 100n);
    await deposit(BOB, 50n);
    e1 = epoch(
      1n,
      [
        [alice, 30n],
        [bob, 0n],
      ],
      [[carol, 30n]],
    );
    await submitAndFinalize(e1.report);
  });

  /** Requests, waits out the delay, and finalizes a report submitted after the request. */
  async function requestThenReport(i: number, e: Epoch) {
    await send(i, "requestWithdrawal");
    await elapse(DELAY);
    await submitAndFinalize(e.report);
  }

  it("test_withdraw_paysCreditMinusChargesAfterDelayAndNewReport", async () => {
    const r0 = await send(ALICE, "requestWithdrawal");
    const requestedAt = await now();
    expect(events(r0, "WithdrawalRequested")[0]!.args).toEqual({
      payer: alice,
      requestedAt,
      availableAt: requestedAt + DELAY,
    });
    expect(await read("withdrawalRequestedAt", [alice])).toBe(requestedAt);
    await elapse(DELAY);
    const e2 = epoch(
      2n,
      [
        [alice, 30n],
        [bob, 0n],
      ],
      [[carol, 30n]],
    );
    await submitAndFinalize(e2.report);
    const r = await send(ALICE, "withdraw", [30n, e2.charges.proof(alice)]);
    expect(events(r, "Withdrawn")[0]!.args).toEqual({
      payer: alice,
      epoch: 2n,
      amount: 70n,
      cumulativeCharged: 30n,
    });
    expect(await tokenBalance(alice)).toBe(70n);
    expect(await read("withdrawn", [alice])).toBe(70n);
    expect(await read("totalWithdrawn")).toBe(70n);
    expect(await read("withdrawalRequestedAt", [alice])).toBe(0n);
    // Nothing left: a new request then withdraw finds no credit.
    await requestThenReport(
      ALICE,
      epoch(
        3n,
        [
          [alice, 30n],
          [bob, 0n],
        ],
        [[carol, 30n]],
      ),
    );
    await expectRevert(
      call(ALICE, "withdraw", [30n, e2.charges.proof(alice)]),
      "SettlementNothingToWithdraw",
      [alice, 30n, 30n],
    );
  });

  it("test_withdraw_zeroLeafPayerGetsEverything", async () => {
    const e2 = epoch(
      2n,
      [
        [alice, 30n],
        [bob, 0n],
      ],
      [[carol, 30n]],
    );
    await requestThenReport(BOB, e2);
    await send(BOB, "withdraw", [0n, e2.charges.proof(bob)]);
    expect(await tokenBalance(bob)).toBe(50n);
  });

  it("test_withdraw_payerWhoWithdrewCanDepositAndUseTheServiceAgain", async () => {
    const e2 = epoch(
      2n,
      [
        [alice, 30n],
        [bob, 0n],
      ],
      [[carol, 30n]],
    );
    await requestThenReport(ALICE, e2);
    await send(ALICE, "withdraw", [30n, e2.charges.proof(alice)]);
    await deposit(ALICE, 50n);
    // alice is served for 10 more; the charges tree keeps her cumulative 40.
    const e3 = epoch(
      3n,
      [
        [alice, 40n],
        [bob, 0n],
      ],
      [[carol, 40n]],
    );
    await requestThenReport(ALICE, e3);
    const r = await send(ALICE, "withdraw", [40n, e3.charges.proof(alice)]);
    expect(events(r, "Withdrawn")[0]!.args).toMatchObject({ amount: 40n });
    expect(await tokenBalance(alice)).toBe(110n);
    expect(await read("deposited", [alice])).toBe(150n);
    expect(await read("withdrawn", [alice])).toBe(110n);
  });

  it("test_withdraw_revertsWithoutRequestBeforeDelayOrAgainstAnOlderReport", async () => {
    await expectRevert(
      call(ALICE, "withdraw", [30n, e1.charges.proof(alice)]),
      "SettlementWithdrawalNotRequested",
      [alice],
    );
    await send(ALICE, "requestWithdrawal");
    const requestedAt = await now();
    await expectRevert(call(ALICE, "requestWithdrawal"), "SettlementWithdrawalAlreadyRequested", [
      alice,
      requestedAt,
    ]);
    await expectRevert(
      call(ALICE, "withdraw", [30n, e1.charges.proof(alice)]),
      "SettlementWithdrawalDelayNotElapsed",
      [alice, requestedAt + DELAY],
    );
    await elapse(DELAY);
    const submittedAt = (await getFinalizedEpoch(sdk(DAVE))).submittedAt;
    await expectRevert(
      call(ALICE, "withdraw", [30n, e1.charges.proof(alice)]),
      "SettlementNoReportSinceRequest",
      [alice, requestedAt, submittedAt],
    );
    // A newer report that is only pending does not count either.
    const e2 = epoch(
      2n,
      [
        [alice, 30n],
        [bob, 0n],
      ],
      [[carol, 30n]],
    );
    await submit(e2.report);
    await expectRevert(
      call(ALICE, "withdraw", [30n, e2.charges.proof(alice)]),
      "SettlementNoReportSinceRequest",
      [alice, requestedAt, submittedAt],
    );
  });

  it("test_withdraw_revertsOnABadProofOrWhenChargesCoverTheCredit", async () => {
    const e2 = epoch(
      2n,
      [
        [alice, 100n],
        [bob, 0n],
      ],
      [[carol, 30n]],
    );
    await requestThenReport(ALICE, e2);
    await expectRevert(call(ALICE, "withdraw", [30n, e2.charges.proof(alice)]), "SettlementInvalidProof", [
      alice,
      30n,
    ]);
    await expectRevert(call(ALICE, "withdraw", [0n, e2.charges.proof(bob)]), "SettlementInvalidProof", [
      alice,
      0n,
    ]);
    await expectRevert(
      call(ALICE, "withdraw", [100n, e2.charges.proof(alice)]),
      "SettlementNothingToWithdraw",
      [alice, 100n, 100n],
    );
  });

  it("test_withdraw_revertsWhenAPendingReportChargesMoreThanRemains", async () => {
    await send(BOB, "requestWithdrawal");
    await elapse(DELAY);
    await submitAndFinalize(
      epoch(
        2n,
        [
          [alice, 30n],
          [bob, 0n],
        ],
        [[carol, 30n]],
      ).report,
    );
    const e2Proof = epoch(
      2n,
      [
        [alice, 30n],
        [bob, 0n],
      ],
      [[carol, 30n]],
    ).charges.proof(bob);
    // A pending report charges bob 50 although the gateway must not serve him: his withdrawal would leave
    // it unbacked, so it waits for the guardian.
    await submit(
      epoch(
        3n,
        [
          [alice, 100n],
          [bob, 50n],
        ],
        [[carol, 30n]],
      ).report,
    );
    await expectRevert(call(BOB, "withdraw", [0n, e2Proof]), "SettlementWithdrawalUnbacked", [
      bob,
      50n,
      150n,
      100n,
    ]);
    await send(GUARDIAN, "vetoEpoch", [3n, "bob was charged after his request"]);
    await send(BOB, "withdraw", [0n, e2Proof]);
    expect(await tokenBalance(bob)).toBe(50n);
    // The vetoed report can no longer be resubmitted: it would now exceed the backing anyway.
    const again = epoch(
      3n,
      [
        [alice, 100n],
        [bob, 50n],
      ],
      [[carol, 30n]],
      { bundleURI: "ipfs://other" },
    ).report;
    await expectRevert(
      call(DAVE, "submitEpoch", [again, [await sign(again)]]),
      "SettlementChargesExceedBacking",
      [150n, 100n],
    );
  });

  it("test_cancelWithdrawal_clearsTheRequest", async () => {
    await expectRevert(call(ALICE, "cancelWithdrawal"), "SettlementWithdrawalNotRequested", [alice]);
    await send(ALICE, "requestWithdrawal");
    const r = await send(ALICE, "cancelWithdrawal");
    expect(events(r, "WithdrawalCancelled")[0]!.args).toEqual({ payer: alice });
    expect(await read("withdrawalRequestedAt", [alice])).toBe(0n);
    await elapse(DELAY);
    await expectRevert(
      call(ALICE, "withdraw", [30n, e1.charges.proof(alice)]),
      "SettlementWithdrawalNotRequested",
      [alice],
    );
  });

  it("test_withdraw_revertsBeforeAnyFinalization", async () => {
    await chain.revert(snap);
    snap = await chain.snapshot();
    await send(ALICE, "requestWithdrawal");
    await elapse(DELAY);
    await expectRevert(call(ALICE, "withdraw", [0n, []]), "SettlementNoFinalizedEpoch", []);
  });
});

describe("sdk hints", () => {
  it("test_settlementHints_coverEveryCustomErrorOfTheAbi", () => {
    const errors = settlementAbi
      .filter((x) => x.type === "error" && x.name.startsWith("Settlement"))
      .map((x) => (x as { name: string }).name);
    expect(errors.length).toBeGreaterThan(25);
    for (const name of errors) expect(settlementHints[name], name).toBeTypeOf("function");
    expect(Object.keys(settlementHints).sort()).toEqual([...errors].sort());
    expect(settlementHints.SettlementQuorumNotReached!([1n, 2n])).toContain("needs 2");
  });
});
