import { datanetRegistryAbi, datanetRegistryBytecode } from "@tributary/abi";
import * as fc from "fast-check";
import {
  type Address,
  BaseError,
  decodeErrorResult,
  encodeDeployData,
  getAddress,
  type Hex,
  isAddressEqual,
  keccak256,
  maxUint256,
  parseEther,
  parseEventLogs,
  type TransactionReceipt,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  acceptDatanetRegistryOwnership,
  addCurator,
  approveTokens,
  buildContributionTypedData,
  contribute,
  contributeBatch,
  contributeBatchWithSig,
  contributeWithSig,
  contributionStatuses,
  createDatanet,
  type DatanetPolicy,
  getContribution,
  getContributionCount,
  getContributionIdOf,
  getContributionNonce,
  getContributionSigningTerms,
  getDatanet,
  getDatanetCount,
  getDatanetRegistryOwner,
  getDatanetRegistryPendingOwner,
  getPayoutAddress,
  getStakeToken,
  getTokenBalance,
  getTreasury,
  getVersion,
  getVersionCount,
  isCurator,
  licenseIdOf,
  mintTokens,
  permitTokens,
  publishVersion,
  removeCurator,
  reviewContributions,
  setDatanetMetadataURI,
  setDatanetPolicy,
  setPayoutAddress,
  setTreasury,
  signContribution,
  signContributionBatch,
  signPermit,
  transferDatanetOwnership,
  transferDatanetRegistryOwnership,
  withdrawContribution,
} from "../../packages/sdk/src/actions/registries.ts";
import { createTributaryClient, type TributaryClient } from "../../packages/sdk/src/client.ts";
import { ContractRevertError } from "../../packages/sdk/src/errors/ContractRevertError.ts";
import { registryHints } from "../../packages/sdk/src/errors/hints/registries.ts";
import { expectRevert, setupTestChain, type TestChain } from "./fixture.ts";

let chain: TestChain;
let snap: Hex;
let registry: Address;

// Roles in these tests: 0 registry owner, 1 treasury, 2 relayer, 6 datanet owner, 7/8 contributors, 9 outsider.
const OWNER = 6;
const BOB = 7;
const CAROL = 8;
const DAVE = 9;
const RELAYER = 2;
const addr = (i: number) => chain.accounts[i]!.address;
const sdk = (i: number): TributaryClient =>
  createTributaryClient({
    publicClient: chain.publicClient as TributaryClient["publicClient"],
    walletClient: chain.wallets[i]! as NonNullable<TributaryClient["walletClient"]>,
    addresses: chain.deployment.contracts,
  });
const read = () => sdk(0);
const hash = (n: number | string) => keccak256(toHex(`document ${n}`));
const balance = (account: Address) => getTokenBalance(read(), { account });
const STAKE = parseEther("2");
const LICENSE = licenseIdOf("CC-BY-4.0");

const policy = (overrides: Partial<DatanetPolicy> = {}): DatanetPolicy => ({
  curated: true,
  minStake: STAKE,
  licenseId: LICENSE,
  refundStakeOnAccept: true,
  ...overrides,
});

async function newDatanet(overrides: Partial<DatanetPolicy> = {}, as = OWNER) {
  const { datanetId } = await createDatanet(sdk(as), {
    metadataURI: "ipfs://datanet",
    policy: policy(overrides),
  });
  return datanetId;
}

async function add(datanetId: bigint, n: number | string, as = BOB) {
  return contribute(sdk(as), { datanetId, contentHash: hash(n), size: 100n, metadataURI: `ipfs://doc/${n}` });
}

/** Asserts an SDK call failed with the contract error `name` and, when given, exactly `args`. */
async function expectError(promise: Promise<unknown>, name: string, args?: readonly unknown[]) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${name}, but the call succeeded`).toBeInstanceOf(ContractRevertError);
  const revert = error as ContractRevertError;
  expect(revert.errorName, revert.message).toBe(name);
  if (args) expect(revert.args).toEqual(args);
}

/** Decoded arguments of the registry's `eventName` events in `receipt` (other contracts' logs are ignored). */
function events(receipt: TransactionReceipt, eventName: string) {
  return parseEventLogs({
    abi: datanetRegistryAbi,
    logs: receipt.logs.filter((l) => isAddressEqual(l.address, registry)),
  })
    .filter((e) => e.eventName === eventName)
    .map((e) => e.args as Record<string, unknown>);
}

async function now() {
  return (await chain.publicClient.getBlock()).timestamp;
}

beforeAll(async () => {
  chain = await setupTestChain();
  registry = getAddress(chain.deployment.contracts.datanetRegistry);
  for (const i of [OWNER, BOB, CAROL, DAVE]) {
    await mintTokens(sdk(0), { to: addr(i), amount: parseEther("1000") });
    await approveTokens(sdk(i), { spender: registry, amount: maxUint256 });
  }
});
afterAll(() => chain?.stop());
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe("DatanetRegistry: deployment and protocol settings", () => {
  it("test_constructor_setsTokenTreasuryOwner", async () => {
    expect(await getStakeToken(read())).toBe(getAddress(chain.deployment.contracts.token));
    expect(await getTreasury(read())).toBe(chain.roles.treasury);
    expect(
      await chain.publicClient.readContract({
        address: registry,
        abi: datanetRegistryAbi,
        functionName: "owner",
      }),
    ).toBe(chain.roles.owner);
  });

  it("test_constructor_revertsWhenTokenOrTreasuryIsZero", async () => {
    for (const args of [
      [zeroAddress, addr(0), addr(1)],
      [addr(0), addr(0), zeroAddress],
    ] as const) {
      const data = encodeDeployData({ abi: datanetRegistryAbi, bytecode: datanetRegistryBytecode, args });
      const error = await chain.publicClient.call({ data }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BaseError);
      const raw = (error as BaseError).walk(
        (e) => typeof (e as { data?: unknown }).data === "string",
      ) as unknown as {
        data: Hex;
      };
      const decoded = decodeErrorResult({ abi: datanetRegistryAbi, data: raw.data as Hex });
      expect(decoded.errorName).toBe("DatanetRegistryZeroAddress");
    }
  });

  it("test_setTreasury_byOwner_redirectsSlashes", async () => {
    const { receipt } = await setTreasury(sdk(0), { treasury: addr(DAVE) });
    expect(events(receipt, "TreasuryUpdated")).toEqual([
      { previousTreasury: chain.roles.treasury, newTreasury: addr(DAVE) },
    ]);
    const id = await newDatanet();
    const { contributionId } = await add(id, 1);
    const before = await balance(addr(DAVE));
    await reviewContributions(sdk(OWNER), {
      datanetId: id,
      reviews: [{ contributionId, verdict: "rejectAndSlash" }],
    });
    expect((await balance(addr(DAVE))) - before).toBe(STAKE);
  });

  it("test_setTreasury_revertsWhenNotOwnerOrZero", async () => {
    await expectError(setTreasury(sdk(DAVE), { treasury: addr(DAVE) }), "OwnableUnauthorizedAccount", [
      addr(DAVE),
    ]);
    await expectError(setTreasury(sdk(0), { treasury: zeroAddress }), "DatanetRegistryZeroAddress", []);
  });
  it("test_ownership_isTwoStep_andOwnerOnly", async () => {
    await expectError(
      transferDatanetRegistryOwnership(sdk(DAVE), { newOwner: addr(DAVE) }),
      "OwnableUnauthorizedAccount",
      [addr(DAVE)],
    );
    await transferDatanetRegistryOwnership(sdk(0), { newOwner: addr(DAVE) });
    expect(await getDatanetRegistryPendingOwner(read())).toBe(addr(DAVE));
    // Until accepted, the old owner keeps the role and nobody else can accept.
    expect(await getDatanetRegistryOwner(read())).toBe(addr(0));
    await expectError(acceptDatanetRegistryOwnership(sdk(CAROL)), "OwnableUnauthorizedAccount", [
      addr(CAROL),
    ]);
    await acceptDatanetRegistryOwnership(sdk(DAVE));
    expect(await getDatanetRegistryOwner(read())).toBe(addr(DAVE));
    await expectError(setTreasury(sdk(0), { treasury: addr(0) }), "OwnableUnauthorizedAccount", [addr(0)]);
    await setTreasury(sdk(DAVE), { treasury: addr(DAVE) });
  });
});

describe("DatanetRegistry: datanets and curators", () => {
  it("test_createDatanet_assignsIdsFrom1_andEmits", async () => {
    const { datanetId, receipt } = await createDatanet(sdk(OWNER), {
      metadataURI: "ipfs://a",
      policy: policy(),
    });
    expect(datanetId).toBe(1n);
    expect(events(receipt, "DatanetCreated")).toEqual([
      { datanetId: 1n, owner: addr(OWNER), metadataURI: "ipfs://a", policy: policy() },
    ]);
    expect(await newDatanet({ curated: false }, BOB)).toBe(2n);
    expect(await getDatanetCount(read())).toBe(2n);
    expect(await getDatanet(read(), { datanetId: 1n })).toEqual({
      owner: addr(OWNER),
      versionCount: 0n,
      metadataURI: "ipfs://a",
      policy: policy(),
    });
    expect((await getDatanet(read(), { datanetId: 2n })).owner).toBe(addr(BOB));
  });

  it("test_getDatanet_revertsWhenUnknown", async () => {
    await expectError(getDatanet(read(), { datanetId: 7n }), "DatanetRegistryDatanetNotFound", [7n]);
    await expectError(getDatanet(read(), { datanetId: 0n }), "DatanetRegistryDatanetNotFound", [0n]);
  });

  it("test_ownerSettings_happyPaths_emit", async () => {
    const id = await newDatanet();
    let r = await setDatanetMetadataURI(sdk(OWNER), { datanetId: id, metadataURI: "ipfs://b" });
    expect(events(r.receipt, "DatanetMetadataURIUpdated")).toEqual([
      { datanetId: id, metadataURI: "ipfs://b" },
    ]);
    const next = policy({ curated: false, minStake: 5n, refundStakeOnAccept: false });
    r = await setDatanetPolicy(sdk(OWNER), { datanetId: id, policy: next });
    expect(events(r.receipt, "DatanetPolicyUpdated")).toEqual([{ datanetId: id, policy: next }]);
    expect(await getDatanet(read(), { datanetId: id })).toMatchObject({
      metadataURI: "ipfs://b",
      policy: next,
    });
    r = await transferDatanetOwnership(sdk(OWNER), { datanetId: id, newOwner: addr(CAROL) });
    expect(events(r.receipt, "DatanetOwnershipTransferred")).toEqual([
      { datanetId: id, previousOwner: addr(OWNER), newOwner: addr(CAROL) },
    ]);
    expect((await getDatanet(read(), { datanetId: id })).owner).toBe(addr(CAROL));
    // The previous owner lost every right.
    await expectError(
      setDatanetMetadataURI(sdk(OWNER), { datanetId: id, metadataURI: "x" }),
      "DatanetRegistryNotDatanetOwner",
      [id, addr(OWNER)],
    );
    expect(await isCurator(read(), { datanetId: id, account: addr(OWNER) })).toBe(false);
    expect(await isCurator(read(), { datanetId: id, account: addr(CAROL) })).toBe(true);
  });

  it("test_ownerOnlyFunctions_revertWhenCalledByOthers", async () => {
    const id = await newDatanet();
    await addCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) });
    // Neither an outsider nor a curator may use the owner's functions.
    for (const who of [DAVE, CAROL]) {
      const err = [id, addr(who)];
      await expectError(
        setDatanetMetadataURI(sdk(who), { datanetId: id, metadataURI: "x" }),
        "DatanetRegistryNotDatanetOwner",
        err,
      );
      await expectError(
        setDatanetPolicy(sdk(who), { datanetId: id, policy: policy() }),
        "DatanetRegistryNotDatanetOwner",
        err,
      );
      await expectError(
        transferDatanetOwnership(sdk(who), { datanetId: id, newOwner: addr(who) }),
        "DatanetRegistryNotDatanetOwner",
        err,
      );
      await expectError(
        addCurator(sdk(who), { datanetId: id, curator: addr(DAVE) }),
        "DatanetRegistryNotDatanetOwner",
        err,
      );
      await expectError(
        removeCurator(sdk(who), { datanetId: id, curator: addr(CAROL) }),
        "DatanetRegistryNotDatanetOwner",
        err,
      );
    }
    await expectError(
      setDatanetMetadataURI(sdk(OWNER), { datanetId: 9n, metadataURI: "x" }),
      "DatanetRegistryDatanetNotFound",
      [9n],
    );
    await expectError(
      transferDatanetOwnership(sdk(OWNER), { datanetId: id, newOwner: zeroAddress }),
      "DatanetRegistryZeroAddress",
      [],
    );
  });

  it("test_curators_addRemove_emit_andGuardDuplicates", async () => {
    const id = await newDatanet();
    expect(await isCurator(read(), { datanetId: id, account: addr(OWNER) })).toBe(true);
    expect(await isCurator(read(), { datanetId: id, account: addr(CAROL) })).toBe(false);
    let r = await addCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) });
    expect(events(r.receipt, "CuratorAdded")).toEqual([{ datanetId: id, curator: addr(CAROL) }]);
    expect(await isCurator(read(), { datanetId: id, account: addr(CAROL) })).toBe(true);
    await expectError(
      addCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) }),
      "DatanetRegistryAlreadyCurator",
      [id, addr(CAROL)],
    );
    await expectError(
      addCurator(sdk(OWNER), { datanetId: id, curator: zeroAddress }),
      "DatanetRegistryZeroAddress",
      [],
    );
    r = await removeCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) });
    expect(events(r.receipt, "CuratorRemoved")).toEqual([{ datanetId: id, curator: addr(CAROL) }]);
    expect(await isCurator(read(), { datanetId: id, account: addr(CAROL) })).toBe(false);
    await expectError(
      removeCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) }),
      "DatanetRegistryCuratorNotFound",
      [id, addr(CAROL)],
    );
    // Curator rights do not leak to other datanets.
    const other = await newDatanet();
    await addCurator(sdk(OWNER), { datanetId: other, curator: addr(CAROL) });
    expect(await isCurator(read(), { datanetId: id, account: addr(CAROL) })).toBe(false);
  });
});

describe("DatanetRegistry: contributions", () => {
  it("test_contribute_curated_startsPending_escrowsStake_andEmits", async () => {
    const id = await newDatanet();
    const before = await balance(addr(BOB));
    const r = await add(id, 1);
    expect(r.contributionId).toBe(1n);
    expect(r.status).toBe("Pending");
    expect(r.stake).toBe(STAKE);
    expect(events(r.receipt, "ContributionRegistered")).toEqual([
      {
        datanetId: id,
        contributionId: 1n,
        contributor: addr(BOB),
        contentHash: hash(1),
        size: 100n,
        status: 1,
        stake: STAKE,
        metadataURI: "ipfs://doc/1",
      },
    ]);
    expect(before - (await balance(addr(BOB)))).toBe(STAKE);
    expect(await balance(registry)).toBe(STAKE);
    expect(await getContribution(read(), { contributionId: 1n })).toEqual({
      contributor: addr(BOB),
      datanetId: id,
      size: 100n,
      status: 1,
      stake: STAKE,
    });
    expect(
      await getContributionIdOf(read(), { datanetId: id, contributor: addr(BOB), contentHash: hash(1) }),
    ).toBe(1n);
    expect(
      await getContributionIdOf(read(), { datanetId: id, contributor: addr(BOB), contentHash: hash(2) }),
    ).toBe(0n);
    expect(
      await getContributionIdOf(read(), { datanetId: id, contributor: addr(CAROL), contentHash: hash(1) }),
    ).toBe(0n);
    expect(await getContributionCount(read())).toBe(1n);
  });

  it("test_contribute_open_refundOnAccept_pullsNothing", async () => {
    const id = await newDatanet({ curated: false, refundStakeOnAccept: true });
    const before = await balance(addr(BOB));
    const r = await add(id, 1);
    expect(r.status).toBe("Accepted");
    expect(r.stake).toBe(0n);
    expect(await balance(addr(BOB))).toBe(before);
  });

  it("test_contribute_open_lockedStake_returnsOnWithdraw", async () => {
    const id = await newDatanet({ curated: false, refundStakeOnAccept: false });
    const before = await balance(addr(BOB));
    const { contributionId, status, stake } = await add(id, 1);
    expect([status, stake]).toEqual(["Accepted", STAKE]);
    const r = await withdrawContribution(sdk(BOB), { contributionId });
    expect(events(r.receipt, "ContributionWithdrawn")).toEqual([
      { datanetId: id, contributionId, contributor: addr(BOB) },
    ]);
    expect(events(r.receipt, "StakeReturned")).toEqual([
      { contributionId, contributor: addr(BOB), amount: STAKE },
    ]);
    expect(await balance(addr(BOB))).toBe(before);
    expect(await balance(registry)).toBe(0n);
    expect(await getContribution(read(), { contributionId })).toMatchObject({ status: 5, stake: 0n });
  });

  it("test_contribute_zeroStake_curated", async () => {
    const id = await newDatanet({ minStake: 0n });
    const before = await balance(addr(BOB));
    expect((await add(id, 1)).stake).toBe(0n);
    expect(await balance(addr(BOB))).toBe(before);
  });

  it("test_contribute_revertsOnDuplicateZeroHashOversizeUnknownDatanet", async () => {
    const id = await newDatanet();
    const { contributionId } = await add(id, 1);
    await expectError(add(id, 1), "DatanetRegistryDuplicateContent", [
      id,
      addr(BOB),
      hash(1),
      contributionId,
    ]);
    // The same content may go into another datanet.
    const other = await newDatanet();
    expect((await add(other, 1)).contributionId).toBe(2n);
    await expectError(
      contribute(sdk(BOB), { datanetId: id, contentHash: zeroHash, size: 1n, metadataURI: "" }),
      "DatanetRegistryZeroContentHash",
      [id],
    );
    const max = 2n ** 56n - 1n;
    await expectError(
      contribute(sdk(BOB), { datanetId: id, contentHash: hash(9), size: max + 1n, metadataURI: "" }),
      "DatanetRegistrySizeTooLarge",
      [max + 1n, max],
    );
    // The largest storable size round-trips.
    const big = await contribute(sdk(BOB), {
      datanetId: id,
      contentHash: hash(10),
      size: max,
      metadataURI: "",
    });
    expect((await getContribution(read(), { contributionId: big.contributionId })).size).toBe(max);
    await expectError(add(99n, 1), "DatanetRegistryDatanetNotFound", [99n]);
  });

  it("test_contribute_revertsWithoutAllowance", async () => {
    const id = await newDatanet();
    await approveTokens(sdk(BOB), { spender: registry, amount: STAKE - 1n });
    await expectError(add(id, 1), "ERC20InsufficientAllowance", [registry, STAKE - 1n, STAKE]);
  });

  it("test_contributeBatch_consecutiveIds_singleStakePull", async () => {
    const id = await newDatanet();
    await add(id, "first", CAROL);
    const before = await balance(addr(BOB));
    const n = 5;
    const r = await contributeBatch(sdk(BOB), {
      datanetId: id,
      contentHashes: Array.from({ length: n }, (_, i) => hash(i)),
      sizes: Array.from({ length: n }, (_, i) => BigInt(i + 1)),
      metadataURIs: Array.from({ length: n }, (_, i) => `ipfs://${i}`),
    });
    expect(r.contributionIds).toEqual([2n, 3n, 4n, 5n, 6n]);
    expect(before - (await balance(addr(BOB)))).toBe(STAKE * BigInt(n));
    expect(await balance(registry)).toBe(STAKE * BigInt(n + 1));
    // One token transfer for the whole batch.
    const transfers = r.receipt.logs.filter(
      (l) => l.address.toLowerCase() === chain.deployment.contracts.token.toLowerCase(),
    );
    expect(transfers).toHaveLength(1);
    const ev = events(r.receipt, "ContributionRegistered");
    expect(ev.map((e) => [e.contentHash, e.size, e.metadataURI])).toEqual(
      Array.from({ length: n }, (_, i) => [hash(i), BigInt(i + 1), `ipfs://${i}`]),
    );
    expect(await getContribution(read(), { contributionId: 4n })).toEqual({
      contributor: addr(BOB),
      datanetId: id,
      size: 3n,
      status: 1,
      stake: STAKE,
    });
    expect(await getContributionCount(read())).toBe(6n);
  });

  it("test_contributeBatch_reverts", async () => {
    const id = await newDatanet();
    const base = {
      datanetId: id,
      contentHashes: [hash(1), hash(2)],
      sizes: [1n, 2n],
      metadataURIs: ["a", "b"],
    };
    await expectError(
      contributeBatch(sdk(BOB), { ...base, contentHashes: [], sizes: [], metadataURIs: [] }),
      "DatanetRegistryEmptyBatch",
      [],
    );
    await expectError(contributeBatch(sdk(BOB), { ...base, sizes: [1n] }), "DatanetRegistryLengthMismatch", [
      2n,
      1n,
    ]);
    await expectError(
      contributeBatch(sdk(BOB), { ...base, metadataURIs: ["a", "b", "c"] }),
      "DatanetRegistryLengthMismatch",
      [2n, 3n],
    );
    // A duplicate inside the batch names the earlier item's id; nothing of the batch is kept.
    await expectError(
      contributeBatch(sdk(BOB), { ...base, contentHashes: [hash(1), hash(1)] }),
      "DatanetRegistryDuplicateContent",
      [id, addr(BOB), hash(1), 1n],
    );
    expect(await getContributionCount(read())).toBe(0n);
    await expectError(
      contributeBatch(sdk(BOB), { ...base, datanetId: 5n }),
      "DatanetRegistryDatanetNotFound",
      [5n],
    );
  });
});

describe("DatanetRegistry: review", () => {
  it("test_review_acceptRefund_reject_slash_exactBalances", async () => {
    const id = await newDatanet();
    const [a, b, c] = [
      (await add(id, 1)).contributionId,
      (await add(id, 2)).contributionId,
      (await add(id, 3)).contributionId,
    ];
    const bob0 = await balance(addr(BOB));
    const treasury0 = await balance(chain.roles.treasury);
    const r = await reviewContributions(sdk(OWNER), {
      datanetId: id,
      reviews: [
        { contributionId: a, verdict: "accept" },
        { contributionId: b, verdict: "reject" },
        { contributionId: c, verdict: "rejectAndSlash" },
      ],
    });
    expect([r.accepted, r.rejected, r.slashed]).toEqual([[a], [b], [c]]);
    expect([r.stakeReturned, r.stakeSlashed]).toEqual([2n * STAKE, STAKE]);
    expect(events(r.receipt, "ContributionAccepted")).toEqual([
      { datanetId: id, contributionId: a, curator: addr(OWNER) },
    ]);
    expect(events(r.receipt, "ContributionRejected")).toEqual([
      { datanetId: id, contributionId: b, curator: addr(OWNER), slashed: false },
      { datanetId: id, contributionId: c, curator: addr(OWNER), slashed: true },
    ]);
    expect(events(r.receipt, "StakeSlashed")).toEqual([
      { contributionId: c, treasury: chain.roles.treasury, amount: STAKE },
    ]);
    expect((await balance(addr(BOB))) - bob0).toBe(2n * STAKE);
    expect((await balance(chain.roles.treasury)) - treasury0).toBe(STAKE);
    expect(await balance(registry)).toBe(0n);
    const statuses = await Promise.all(
      [a, b, c].map((contributionId) => getContribution(read(), { contributionId })),
    );
    expect(statuses.map((s) => [contributionStatuses[s.status], s.stake])).toEqual([
      ["Accepted", 0n],
      ["Rejected", 0n],
      ["Slashed", 0n],
    ]);
  });

  it("test_review_acceptWithoutRefund_locksStake_untilWithdrawal", async () => {
    const id = await newDatanet({ refundStakeOnAccept: false });
    const { contributionId } = await add(id, 1);
    const r = await reviewContributions(sdk(OWNER), {
      datanetId: id,
      reviews: [{ contributionId, verdict: "accept" }],
    });
    expect(r.stakeReturned).toBe(0n);
    expect(await balance(registry)).toBe(STAKE);
    expect((await getContribution(read(), { contributionId })).stake).toBe(STAKE);
    const bob0 = await balance(addr(BOB));
    await withdrawContribution(sdk(BOB), { contributionId });
    expect((await balance(addr(BOB))) - bob0).toBe(STAKE);
    expect(await balance(registry)).toBe(0n);
  });

  it("test_review_byCurator_andRevertsForOutsidersAndRemovedCurators", async () => {
    const id = await newDatanet();
    const { contributionId } = await add(id, 1);
    const reviews = [{ contributionId, verdict: "accept" as const }];
    await expectError(
      reviewContributions(sdk(DAVE), { datanetId: id, reviews }),
      "DatanetRegistryNotCurator",
      [id, addr(DAVE)],
    );
    await addCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) });
    await removeCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) });
    await expectError(
      reviewContributions(sdk(CAROL), { datanetId: id, reviews }),
      "DatanetRegistryNotCurator",
      [id, addr(CAROL)],
    );
    await addCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) });
    const r = await reviewContributions(sdk(CAROL), { datanetId: id, reviews });
    expect(events(r.receipt, "ContributionAccepted")[0]?.curator).toBe(addr(CAROL));
    await expectError(
      reviewContributions(sdk(OWNER), { datanetId: 42n, reviews }),
      "DatanetRegistryDatanetNotFound",
      [42n],
    );
  });

  it("test_review_revertsOnBadInput", async () => {
    const id = await newDatanet();
    const other = await newDatanet();
    const { contributionId } = await add(id, 1);
    const foreign = (await add(other, 1)).contributionId;
    const one = (verdict: "accept" | "reject", cid = contributionId) => [{ contributionId: cid, verdict }];
    await expectError(
      reviewContributions(sdk(OWNER), { datanetId: id, reviews: [] }),
      "DatanetRegistryEmptyBatch",
      [],
    );
    await expectError(
      reviewContributions(sdk(OWNER), { datanetId: id, reviews: one("accept", 99n) }),
      "DatanetRegistryContributionNotFound",
      [99n],
    );
    await expectError(
      reviewContributions(sdk(OWNER), { datanetId: id, reviews: one("accept", foreign) }),
      "DatanetRegistryContributionNotInDatanet",
      [id, foreign],
    );
    // Raw calls for what the typed action cannot express.
    const wallet = chain.wallets[OWNER]!;
    await expectRevert(
      wallet.writeContract({
        address: registry,
        abi: datanetRegistryAbi,
        functionName: "review",
        args: [id, [contributionId], [3]],
      }),
      "DatanetRegistryInvalidVerdict",
      [contributionId, 3],
    );
    await expectRevert(
      wallet.writeContract({
        address: registry,
        abi: datanetRegistryAbi,
        functionName: "review",
        args: [id, [contributionId], [0, 1]],
      }),
      "DatanetRegistryLengthMismatch",
      [1n, 2n],
    );
    await reviewContributions(sdk(OWNER), { datanetId: id, reviews: one("accept") });
    await expectError(
      reviewContributions(sdk(OWNER), { datanetId: id, reviews: one("reject") }),
      "DatanetRegistryContributionNotPending",
      [contributionId, 2],
    );
    // A failing item reverts the whole batch.
    const fresh = (await add(id, 2)).contributionId;
    await expectError(
      reviewContributions(sdk(OWNER), {
        datanetId: id,
        reviews: [...one("reject", fresh), ...one("reject")],
      }),
      "DatanetRegistryContributionNotPending",
    );
    expect((await getContribution(read(), { contributionId: fresh })).status).toBe(1);
  });
});

describe("DatanetRegistry: withdrawal of consent", () => {
  it("test_withdraw_pending_keepsStakeForReview_soSlashCannotBeDodged", async () => {
    const id = await newDatanet();
    const a = (await add(id, 1)).contributionId;
    const b = (await add(id, 2)).contributionId;
    const bob0 = await balance(addr(BOB));
    for (const contributionId of [a, b]) {
      const r = await withdrawContribution(sdk(BOB), { contributionId });
      expect(events(r.receipt, "StakeReturned")).toEqual([]);
    }
    expect(await balance(addr(BOB))).toBe(bob0);
    expect(await getContribution(read(), { contributionId: a })).toMatchObject({ status: 5, stake: STAKE });
    const treasury0 = await balance(chain.roles.treasury);
    const r = await reviewContributions(sdk(OWNER), {
      datanetId: id,
      reviews: [
        { contributionId: a, verdict: "rejectAndSlash" },
        { contributionId: b, verdict: "accept" },
      ],
    });
    // Accepting a withdrawn contribution only releases its stake; it stays withdrawn.
    expect(r.accepted).toEqual([]);
    expect(r.slashed).toEqual([a]);
    expect((await balance(chain.roles.treasury)) - treasury0).toBe(STAKE);
    expect((await balance(addr(BOB))) - bob0).toBe(STAKE);
    expect(await getContribution(read(), { contributionId: a })).toMatchObject({ status: 4, stake: 0n });
    expect(await getContribution(read(), { contributionId: b })).toMatchObject({ status: 5, stake: 0n });
    // Once settled, a withdrawn contribution is no longer reviewable.
    await expectError(
      reviewContributions(sdk(OWNER), { datanetId: id, reviews: [{ contributionId: b, verdict: "reject" }] }),
      "DatanetRegistryContributionNotPending",
      [b, 5],
    );
  });

  it("test_withdraw_reverts", async () => {
    const id = await newDatanet();
    const { contributionId } = await add(id, 1);
    await expectError(withdrawContribution(sdk(CAROL), { contributionId }), "DatanetRegistryNotContributor", [
      contributionId,
      addr(CAROL),
    ]);
    await expectError(
      withdrawContribution(sdk(BOB), { contributionId: 77n }),
      "DatanetRegistryContributionNotFound",
      [77n],
    );
    await reviewContributions(sdk(OWNER), {
      datanetId: id,
      reviews: [{ contributionId, verdict: "reject" }],
    });
    await expectError(
      withdrawContribution(sdk(BOB), { contributionId }),
      "DatanetRegistryContributionNotWithdrawable",
      [contributionId, 3],
    );
    const second = (await add(id, 2)).contributionId;
    await reviewContributions(sdk(OWNER), {
      datanetId: id,
      reviews: [{ contributionId: second, verdict: "accept" }],
    });
    await withdrawContribution(sdk(BOB), { contributionId: second });
    await expectError(
      withdrawContribution(sdk(BOB), { contributionId: second }),
      "DatanetRegistryContributionNotWithdrawable",
      [second, 5],
    );
  });
});

describe("DatanetRegistry: versions and payout addresses", () => {
  it("test_publishVersion_numbersFrom1_immutable", async () => {
    const id = await newDatanet();
    const root1 = keccak256(toHex("root 1"));
    const r1 = await publishVersion(sdk(OWNER), {
      datanetId: id,
      contributionsRoot: root1,
      count: 3n,
      manifestURI: "ipfs://m1",
    });
    expect(r1.version).toBe(1n);
    expect(events(r1.receipt, "VersionPublished")).toEqual([
      { datanetId: id, version: 1n, contributionsRoot: root1, count: 3n, manifestURI: "ipfs://m1" },
    ]);
    const t1 = (await chain.publicClient.getBlock({ blockNumber: r1.receipt.blockNumber })).timestamp;
    await addCurator(sdk(OWNER), { datanetId: id, curator: addr(CAROL) });
    const root2 = keccak256(toHex("root 2"));
    const r2 = await publishVersion(sdk(CAROL), {
      datanetId: id,
      contributionsRoot: root2,
      count: 4n,
      manifestURI: "ipfs://m2",
    });
    expect(r2.version).toBe(2n);
    expect(await getVersionCount(read(), { datanetId: id })).toBe(2n);
    expect((await getDatanet(read(), { datanetId: id })).versionCount).toBe(2n);
    expect(await getVersion(read(), { datanetId: id, version: 1n })).toEqual({
      contributionsRoot: root1,
      count: 3n,
      publishedAt: t1,
      manifestURI: "ipfs://m1",
    });
    expect((await getVersion(read(), { datanetId: id, version: 2n })).contributionsRoot).toBe(root2);
    await expectError(getVersion(read(), { datanetId: id, version: 0n }), "DatanetRegistryVersionNotFound", [
      id,
      0n,
    ]);
    await expectError(getVersion(read(), { datanetId: id, version: 3n }), "DatanetRegistryVersionNotFound", [
      id,
      3n,
    ]);
    expect(await getVersionCount(read(), { datanetId: 99n })).toBe(0n);
  });

  it("test_publishVersion_reverts", async () => {
    const id = await newDatanet();
    const root = keccak256(toHex("r"));
    await expectError(
      publishVersion(sdk(DAVE), { datanetId: id, contributionsRoot: root, count: 1n, manifestURI: "" }),
      "DatanetRegistryNotCurator",
      [id, addr(DAVE)],
    );
    await expectError(
      publishVersion(sdk(OWNER), { datanetId: id, contributionsRoot: zeroHash, count: 1n, manifestURI: "" }),
      "DatanetRegistryInvalidVersion",
      [id, zeroHash, 1n],
    );
    await expectError(
      publishVersion(sdk(OWNER), { datanetId: id, contributionsRoot: root, count: 0n, manifestURI: "" }),
      "DatanetRegistryInvalidVersion",
      [id, root, 0n],
    );
    await expectError(
      publishVersion(sdk(OWNER), { datanetId: 8n, contributionsRoot: root, count: 1n, manifestURI: "" }),
      "DatanetRegistryDatanetNotFound",
      [8n],
    );
  });

  it("test_setPayoutAddress_setsAndResets", async () => {
    expect(await getPayoutAddress(read(), { contributor: addr(BOB) })).toBe(addr(BOB));
    let r = await setPayoutAddress(sdk(BOB), { payout: addr(DAVE) });
    expect(events(r.receipt, "PayoutAddressSet")).toEqual([{ contributor: addr(BOB), payout: addr(DAVE) }]);
    expect(await getPayoutAddress(read(), { contributor: addr(BOB) })).toBe(addr(DAVE));
    expect(await getPayoutAddress(read(), { contributor: addr(CAROL) })).toBe(addr(CAROL));
    r = await setPayoutAddress(sdk(BOB), { payout: zeroAddress });
    expect(events(r.receipt, "PayoutAddressSet")).toEqual([{ contributor: addr(BOB), payout: addr(BOB) }]);
    expect(await getPayoutAddress(read(), { contributor: addr(BOB) })).toBe(addr(BOB));
  });
});

describe("DatanetRegistry: signed contributions (EIP-712)", () => {
  const content = (datanetId: bigint, n: number) => ({
    datanetId,
    contentHash: hash(n),
    size: 10n,
    metadataURI: `ipfs://signed/${n}`,
  });

  it("test_contributeWithSig_gaslessContributor_withPermit", async () => {
    const id = await newDatanet();
    // The contributor holds tokens but no ETH: it only signs (a permit and the contribution).
    const contributor = privateKeyToAccount(generatePrivateKey());
    await mintTokens(sdk(0), { to: contributor.address, amount: STAKE });
    const deadline = (await now()) + 3600n;
    const permit = await signPermit(contributor, {
      chainId: chain.deployment.chainId,
      token: chain.deployment.contracts.token,
      spender: registry,
      value: STAKE,
      nonce: 0n,
      deadline,
    });
    await permitTokens(sdk(RELAYER), {
      owner: contributor.address,
      spender: registry,
      value: STAKE,
      deadline,
      signature: permit,
    });
    const terms = await getContributionSigningTerms(read(), {
      datanetId: id,
      contributor: contributor.address,
    });
    expect(terms).toEqual({
      chainId: chain.deployment.chainId,
      registry: chain.deployment.contracts.datanetRegistry,
      contributor: contributor.address,
      nonce: 0n,
      stake: STAKE,
    });
    const signature = await signContribution(contributor, { ...content(id, 1), ...terms, deadline });
    const r = await contributeWithSig(sdk(RELAYER), {
      ...content(id, 1),
      contributor: contributor.address,
      deadline,
      signature,
    });
    expect(r.receipt.from).toBe(addr(RELAYER).toLowerCase());
    expect(await getContribution(read(), { contributionId: r.contributionId })).toMatchObject({
      contributor: contributor.address,
      status: 1,
      stake: STAKE,
    });
    expect(await balance(contributor.address)).toBe(0n);
    expect(await chain.publicClient.getBalance({ address: contributor.address })).toBe(0n);
    expect(await getContributionNonce(read(), { contributor: contributor.address })).toBe(1n);

    // Replaying the same signature fails: its nonce is used.
    await expectError(
      contributeWithSig(sdk(RELAYER), {
        ...content(id, 1),
        contributor: contributor.address,
        deadline,
        signature,
      }),
      "DatanetRegistryInvalidSignature",
      [contributor.address],
    );
  });

  it("test_contributeWithSig_revertsOnForgery", async () => {
    const id = await newDatanet({ minStake: 0n });
    const signer = chain.accounts[BOB]!;
    const deadline = (await now()) + 3600n;
    const terms = await getContributionSigningTerms(read(), { datanetId: id, contributor: signer.address });
    const relay = (signature: Hex, overrides: Partial<ReturnType<typeof content>> = {}, d = deadline) =>
      contributeWithSig(sdk(RELAYER), {
        ...content(id, 1),
        ...overrides,
        contributor: signer.address,
        deadline: d,
        signature,
      });
    const invalid = ["DatanetRegistryInvalidSignature", [signer.address]] as const;

    // Wrong signer.
    const byCarol = await signContribution(chain.accounts[CAROL]!, { ...content(id, 1), ...terms, deadline });
    await expectError(relay(byCarol), ...invalid);
    // Another chain id, another contract.
    const otherChain = await signContribution(signer, {
      ...content(id, 1),
      ...terms,
      chainId: 1612,
      deadline,
    });
    await expectError(relay(otherChain), ...invalid);
    const otherContract = await signContribution(signer, {
      ...content(id, 1),
      ...terms,
      registry: chain.deployment.contracts.modelRegistry,
      deadline,
    });
    await expectError(relay(otherContract), ...invalid);
    // Tampered content or deadline.
    const good = await signContribution(signer, { ...content(id, 1), ...terms, deadline });
    await expectError(relay(good, { size: 11n }), ...invalid);
    await expectError(relay(good, { metadataURI: "ipfs://evil" }), ...invalid);
    await expectError(relay(good, {}, deadline + 1n), ...invalid);
    // Future nonce.
    const ahead = await signContribution(signer, { ...content(id, 1), ...terms, nonce: 1n, deadline });
    await expectError(relay(ahead), ...invalid);
    // Expired.
    const past = (await now()) - 1n;
    const expired = await signContribution(signer, { ...content(id, 1), ...terms, deadline: past });
    const error = await relay(expired, {}, past).catch((e: ContractRevertError) => e);
    expect(error).toBeInstanceOf(ContractRevertError);
    expect((error as ContractRevertError).errorName).toBe("DatanetRegistrySignatureExpired");
    expect((error as ContractRevertError).args[0]).toBe(past);
    // The genuine one still works (nothing above consumed the nonce).
    expect((await relay(good)).contributionId).toBe(1n);
  });

  it("test_contributeWithSig_stakeChangeAfterSigning_invalidatesSignature", async () => {
    const id = await newDatanet({ minStake: 1n });
    const signer = chain.accounts[BOB]!;
    const deadline = (await now()) + 3600n;
    const terms = await getContributionSigningTerms(read(), { datanetId: id, contributor: signer.address });
    const signature = await signContribution(signer, { ...content(id, 1), ...terms, deadline });
    await setDatanetPolicy(sdk(OWNER), { datanetId: id, policy: policy({ minStake: parseEther("500") }) });
    await expectError(
      contributeWithSig(sdk(RELAYER), {
        ...content(id, 1),
        contributor: signer.address,
        deadline,
        signature,
      }),
      "DatanetRegistryInvalidSignature",
      [signer.address],
    );
  });

  it("test_typedData_matchesContractTypehashes", async () => {
    const typehash = await chain.publicClient.readContract({
      address: registry,
      abi: datanetRegistryAbi,
      functionName: "CONTRIBUTION_TYPEHASH",
    });
    expect(typehash).toBe(
      keccak256(
        toHex(
          "Contribution(uint256 datanetId,bytes32 contentHash,uint64 size,string metadataURI,uint256 stake,address contributor,uint256 nonce,uint256 deadline)",
        ),
      ),
    );
    const domain = await chain.publicClient.readContract({
      address: registry,
      abi: datanetRegistryAbi,
      functionName: "eip712Domain",
    });
    const typed = buildContributionTypedData({
      ...content(1n, 1),
      chainId: chain.deployment.chainId,
      registry,
      contributor: addr(BOB),
      nonce: 0n,
      stake: 0n,
      deadline: 0n,
    });
    expect([domain[1], domain[2], BigInt(domain[3]), domain[4]]).toEqual([
      typed.domain?.name,
      typed.domain?.version,
      BigInt(typed.domain?.chainId ?? 0),
      getAddress(registry),
    ]);
    expect(typed.domain?.verifyingContract).toBe(registry);
  });

  it("test_contributeBatchWithSig_frontRunCopy_neitherBlocksNorTakes", async () => {
    // DAVE saw CAROL's relayed calldata (hashes, sizes, URIs) in the mempool and registers the first hash under his
    // own address before the relayer's transaction is mined.
    const id = await newDatanet();
    const signer = chain.accounts[CAROL]!;
    const deadline = (await now()) + 3600n;
    const batch = {
      datanetId: id,
      contentHashes: [hash(1), hash(2)],
      sizes: [1n, 2n],
      metadataURIs: ["ipfs://1", "ipfs://2"],
    };
    const terms = await getContributionSigningTerms(read(), { datanetId: id, contributor: signer.address });
    const signature = await signContributionBatch(signer, { ...batch, ...terms, deadline });
    const copy = await contribute(sdk(DAVE), {
      datanetId: id,
      contentHash: hash(1),
      size: 1n,
      metadataURI: "ipfs://1",
    });
    expect(copy.contributionId).toBe(1n);
    const r = await contributeBatchWithSig(sdk(RELAYER), {
      ...batch,
      contributor: signer.address,
      deadline,
      signature,
    });
    expect(r.contributionIds).toEqual([2n, 3n]);
    expect(events(r.receipt, "ContributionRegistered").map((e) => e.contributor)).toEqual([
      signer.address,
      signer.address,
    ]);
    expect(
      await getContributionIdOf(read(), { datanetId: id, contributor: signer.address, contentHash: hash(1) }),
    ).toBe(2n);
    expect(
      await getContributionIdOf(read(), { datanetId: id, contributor: addr(DAVE), contentHash: hash(1) }),
    ).toBe(1n);
    expect((await getContribution(read(), { contributionId: 2n })).contributor).toBe(signer.address);
    // The copy cannot be registered twice either, and the contributor's own content stays once per contributor.
    await expectError(
      contribute(sdk(DAVE), { datanetId: id, contentHash: hash(1), size: 1n, metadataURI: "x" }),
      "DatanetRegistryDuplicateContent",
      [id, addr(DAVE), hash(1), 1n],
    );
    await expectError(add(id, 2, CAROL), "DatanetRegistryDuplicateContent", [
      id,
      signer.address,
      hash(2),
      3n,
    ]);
  });

  it("test_contributeBatchWithSig_oneSignature_replayAndTamperRevert", async () => {
    const id = await newDatanet();
    const signer = chain.accounts[CAROL]!;
    const deadline = (await now()) + 3600n;
    const batch = {
      datanetId: id,
      contentHashes: [hash(1), hash(2), hash(3)],
      sizes: [1n, 2n, 3n],
      metadataURIs: ["ipfs://1", "ipfs://2", "ipfs://3"],
    };
    const terms = await getContributionSigningTerms(read(), { datanetId: id, contributor: signer.address });
    const signature = await signContributionBatch(signer, { ...batch, ...terms, deadline });
    const carol0 = await balance(signer.address);
    await expectError(
      contributeBatchWithSig(sdk(RELAYER), {
        ...batch,
        sizes: [1n, 2n, 4n],
        contributor: signer.address,
        deadline,
        signature,
      }),
      "DatanetRegistryInvalidSignature",
      [signer.address],
    );
    await expectError(
      contributeBatchWithSig(sdk(RELAYER), {
        ...batch,
        metadataURIs: ["ipfs://1", "ipfs://2", "ipfs://x"],
        contributor: signer.address,
        deadline,
        signature,
      }),
      "DatanetRegistryInvalidSignature",
      [signer.address],
    );
    const r = await contributeBatchWithSig(sdk(RELAYER), {
      ...batch,
      contributor: signer.address,
      deadline,
      signature,
    });
    expect(r.contributionIds).toEqual([1n, 2n, 3n]);
    expect(carol0 - (await balance(signer.address))).toBe(3n * STAKE);
    expect((await getContribution(read(), { contributionId: 3n })).contributor).toBe(signer.address);
    await expectError(
      contributeBatchWithSig(sdk(RELAYER), { ...batch, contributor: signer.address, deadline, signature }),
      "DatanetRegistryInvalidSignature",
      [signer.address],
    );
    const past = (await now()) - 1n;
    const t2 = await getContributionSigningTerms(read(), { datanetId: id, contributor: signer.address });
    const expired = await signContributionBatch(signer, { ...batch, ...t2, deadline: past });
    await expectError(
      contributeBatchWithSig(sdk(RELAYER), {
        ...batch,
        contributor: signer.address,
        deadline: past,
        signature: expired,
      }),
      "DatanetRegistrySignatureExpired",
    );
  });
});

describe("DatanetRegistry: hints and invariants", () => {
  it("test_hints_existForEveryCustomError", () => {
    const errors = datanetRegistryAbi.filter((x) => x.type === "error");
    for (const e of errors.filter((x) => x.name.startsWith("DatanetRegistry"))) {
      const hint = registryHints[e.name];
      expect(hint, e.name).toBeDefined();
      const args = e.inputs.map((_, i) => `ARG${i}`);
      const text = hint!(args);
      // Every value the error carries is named in the hint (status codes are rendered by name).
      for (const a of args) if (!e.inputs.some((i) => i.name === "status")) expect(text, e.name).toContain(a);
    }
  });

  type Op =
    | { kind: "contribute"; who: number; doc: number }
    | { kind: "review"; pick: number; verdict: "accept" | "reject" | "rejectAndSlash" }
    | { kind: "withdraw"; pick: number; asOwner: boolean }
    | { kind: "policy"; refund: boolean; stake: bigint };

  // Reviews and withdrawals are weighted up: they are where stakes move.
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("contribute" as const),
        who: fc.constantFrom(BOB, CAROL),
        doc: fc.integer({ min: 0, max: 6 }),
      }),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("review" as const),
        pick: fc.nat(),
        verdict: fc.constantFrom("accept" as const, "reject" as const, "rejectAndSlash" as const),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant("withdraw" as const), pick: fc.nat(), asOwner: fc.boolean() }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant("policy" as const),
        refund: fc.boolean(),
        stake: fc.constantFrom(0n, 1n, 7n),
      }),
    },
  );

  it("property_randomContributeReviewWithdraw_keepsEscrowEqualToHeldStakes", async () => {
    // Model-based: the model predicts each outcome (including the exact error) and every stake; after each step the
    // registry's balance equals the sum of stakes held, and tokens are conserved between users, registry and treasury.
    const accounts = [addr(BOB), addr(CAROL), registry, chain.roles.treasury];
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 4, maxLength: 14 }), async (ops) => {
        const s = await chain.snapshot();
        try {
          let pol = policy({ minStake: 3n, refundStakeOnAccept: false });
          const id = await newDatanet(pol);
          const total0 = (await Promise.all(accounts.map(balance))).reduce((x, y) => x + y, 0n);
          const model: { id: bigint; who: number; status: number; stake: bigint; doc: number }[] = [];
          for (const op of ops) {
            if (op.kind === "contribute") {
              // Dedupe is per contributor: the other account's copy of the text is its own record.
              const dup = model.find((m) => m.doc === op.doc && m.who === op.who);
              const p = add(id, op.doc, op.who);
              if (dup) {
                await expectError(p, "DatanetRegistryDuplicateContent", [
                  id,
                  addr(op.who),
                  hash(op.doc),
                  dup.id,
                ]);
              } else {
                const r = await p;
                model.push({
                  id: r.contributionId,
                  who: op.who,
                  status: 1,
                  stake: pol.minStake,
                  doc: op.doc,
                });
              }
            } else if (op.kind === "policy") {
              pol = policy({ minStake: op.stake, refundStakeOnAccept: op.refund });
              await setDatanetPolicy(sdk(OWNER), { datanetId: id, policy: pol });
            } else if (model.length > 0) {
              const m = model[op.pick % model.length]!;
              if (op.kind === "review") {
                const p = reviewContributions(sdk(OWNER), {
                  datanetId: id,
                  reviews: [{ contributionId: m.id, verdict: op.verdict }],
                });
                const reviewable = m.status === 1 || (m.status === 5 && m.stake > 0n);
                if (!reviewable) {
                  await expectError(p, "DatanetRegistryContributionNotPending", [m.id, m.status]);
                  continue;
                }
                await p;
                if (op.verdict === "rejectAndSlash") m.status = 4;
                else if (m.status === 1) m.status = op.verdict === "accept" ? 2 : 3;
                if (op.verdict !== "accept" || m.status === 5 || pol.refundStakeOnAccept) m.stake = 0n;
              } else {
                const who = op.asOwner ? m.who : m.who === BOB ? CAROL : BOB;
                const p = withdrawContribution(sdk(who), { contributionId: m.id });
                if (who !== m.who) await expectError(p, "DatanetRegistryNotContributor", [m.id, addr(who)]);
                else if (m.status !== 1 && m.status !== 2) {
                  await expectError(p, "DatanetRegistryContributionNotWithdrawable", [m.id, m.status]);
                } else {
                  await p;
                  if (m.status === 2) m.stake = 0n;
                  m.status = 5;
                }
              }
            }
            const held = model.reduce((sum, m) => sum + m.stake, 0n);
            expect(await balance(registry)).toBe(held);
          }
          for (const m of model) {
            expect(await getContribution(read(), { contributionId: m.id })).toMatchObject({
              status: m.status,
              stake: m.stake,
            });
          }
          const total1 = (await Promise.all(accounts.map(balance))).reduce((x, y) => x + y, 0n);
          expect(total1).toBe(total0);
        } finally {
          await chain.revert(s);
        }
      }),
      { numRuns: 30, seed: 20_261_126 },
    );
  });
});

describe("DatanetRegistry: gas", () => {
  it("records contribute and per-hash batch gas", async () => {
    const id = await newDatanet({ minStake: 0n });
    const single = await add(id, "single");
    const n = 100;
    const batch = await contributeBatch(sdk(BOB), {
      datanetId: id,
      contentHashes: Array.from({ length: n }, (_, i) => hash(`b${i}`)),
      sizes: Array.from({ length: n }, () => 4096n),
      metadataURIs: Array.from(
        { length: n },
        (_, i) => `ipfs://bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy/${i}`,
      ),
    });
    const perHash = batch.receipt.gasUsed / BigInt(n);
    console.log(`contribute: ${single.receipt.gasUsed} gas; contributeBatch(100): ${perHash} gas per hash`);
    // One packed slot plus one dedupe slot per hash: well under three fresh slots' worth.
    expect(perHash).toBeLessThan(66_300n);
  });
});
