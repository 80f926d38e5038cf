import { modelRegistryAbi, modelRegistryBytecode } from "@tributary/abi";
import {
  type Address,
  BaseError,
  decodeErrorResult,
  encodeDeployData,
  getAddress,
  type Hex,
  isAddressEqual,
  keccak256,
  parseEventLogs,
  type TransactionReceipt,
  toHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createDatanet,
  deprecateModel,
  getLineage,
  getModel,
  getModelCount,
  getModelVersion,
  getModelVersionCount,
  getTrainedOn,
  isModelDeprecated,
  licenseIdOf,
  type ModelPricing,
  type ModelSplit,
  publishModelVersion,
  publishVersion,
  recordLineage,
  registerModel,
  setModelPricing,
  setModelSplit,
  type TrainedOn,
  transferModelOwnership,
} from "../../packages/sdk/src/actions/registries.ts";
import { createTributaryClient, type TributaryClient } from "../../packages/sdk/src/client.ts";
import { ContractRevertError } from "../../packages/sdk/src/errors/ContractRevertError.ts";
import { registryHints } from "../../packages/sdk/src/errors/hints/registries.ts";
import { setupTestChain, type TestChain } from "./fixture.ts";

let chain: TestChain;
let snap: Hex;
let models: Address;
let datanetA: bigint;
let datanetB: bigint;

// Roles: 6 datanet owner, 7 model builder, 8 second owner, 9 outsider.
const BUILDER = 7;
const OTHER = 8;
const OUTSIDER = 9;
const addr = (i: number) => chain.accounts[i]!.address;
const sdk = (i: number): TributaryClient =>
  createTributaryClient({
    publicClient: chain.publicClient as TributaryClient["publicClient"],
    walletClient: chain.wallets[i]! as NonNullable<TributaryClient["walletClient"]>,
    addresses: chain.deployment.contracts,
  });
const read = () => sdk(0);
const artifact = (n: number) => keccak256(toHex(`weights ${n}`));
const pricing: ModelPricing = {
  perCall: 10n ** 15n,
  per1kOutputTokens: 3n * 10n ** 16n,
  per1kInputTokens: 7n * 10n ** 14n,
};
const split: ModelSplit = { ownerBps: 3000, dataBps: 7000 };

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

function events(receipt: TransactionReceipt, eventName: string) {
  return parseEventLogs({
    abi: modelRegistryAbi,
    logs: receipt.logs.filter((l) => isAddressEqual(l.address, models)),
  })
    .filter((e) => e.eventName === eventName)
    .map((e) => e.args as Record<string, unknown>);
}

const register = (
  overrides: Partial<{ trainedOn: readonly TrainedOn[]; split: ModelSplit; artifactHash: Hex }> = {},
  as = BUILDER,
) =>
  registerModel(sdk(as), {
    metadataURI: "ipfs://card",
    artifactHash: artifact(1),
    baseModel: "infinigram",
    trainedOn: [
      { datanetId: datanetA, version: 1n },
      { datanetId: datanetB, version: 1n },
    ],
    pricing,
    split,
    ...overrides,
  });

beforeAll(async () => {
  chain = await setupTestChain();
  models = getAddress(chain.deployment.contracts.modelRegistry);
  // Two datanets: A with versions 1 and 2, B with version 1.
  const policy = { curated: false, minStake: 0n, licenseId: licenseIdOf("MIT"), refundStakeOnAccept: true };
  datanetA = (await createDatanet(sdk(6), { metadataURI: "a", policy })).datanetId;
  datanetB = (await createDatanet(sdk(6), { metadataURI: "b", policy })).datanetId;
  const root = keccak256(toHex("root"));
  for (const datanetId of [datanetA, datanetA, datanetB]) {
    await publishVersion(sdk(6), { datanetId, contributionsRoot: root, count: 1n, manifestURI: "m" });
  }
});
afterAll(() => chain?.stop());
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe("ModelRegistry: registration", () => {
  it("test_registerModel_storesEverything_andEmitsBothEvents", async () => {
    const r = await register();
    expect(r.modelId).toBe(1n);
    expect(events(r.receipt, "ModelRegistered")).toEqual([
      { modelId: 1n, owner: addr(BUILDER), baseModel: "infinigram", pricing, split },
    ]);
    const trainedOn = [
      { datanetId: datanetA, version: 1n },
      { datanetId: datanetB, version: 1n },
    ];
    expect(events(r.receipt, "ModelVersionPublished")).toEqual([
      { modelId: 1n, version: 1n, artifactHash: artifact(1), metadataURI: "ipfs://card", trainedOn },
    ]);
    expect(await getModel(read(), { modelId: 1n })).toEqual({
      owner: addr(BUILDER),
      deprecated: false,
      versionCount: 1n,
      pricing,
      split,
      baseModel: "infinigram",
      artifactHash: artifact(1),
      metadataURI: "ipfs://card",
    });
    const t = (await chain.publicClient.getBlock({ blockNumber: r.receipt.blockNumber })).timestamp;
    expect(await getModelVersion(read(), { modelId: 1n, version: 1n })).toEqual({
      artifactHash: artifact(1),
      registeredAt: t,
      metadataURI: "ipfs://card",
      trainedOn,
    });
    expect(await getTrainedOn(read(), { modelId: 1n })).toEqual(trainedOn);
    expect(await getModelVersionCount(read(), { modelId: 1n })).toBe(1n);
    expect(await isModelDeprecated(read(), { modelId: 1n })).toBe(false);
    expect((await register({}, OTHER)).modelId).toBe(2n);
    expect(await getModelCount(read())).toBe(2n);
  });

  it("test_registerModel_zeroDataShare_mayHaveNoTrainedOn", async () => {
    const { modelId } = await register({ trainedOn: [], split: { ownerBps: 10_000, dataBps: 0 } });
    expect(await getTrainedOn(read(), { modelId })).toEqual([]);
  });

  it("test_registerModel_reverts", async () => {
    await expectError(
      register({ split: { ownerBps: 3000, dataBps: 6999 } }),
      "ModelRegistryInvalidSplit",
      [3000, 6999],
    );
    await expectError(
      register({ split: { ownerBps: 3001, dataBps: 7000 } }),
      "ModelRegistryInvalidSplit",
      [3001, 7000],
    );
    await expectError(
      register({ split: { ownerBps: 65_535, dataBps: 65_535 } }),
      "ModelRegistryInvalidSplit",
      [65_535, 65_535],
    );
    await expectError(
      register({ trainedOn: [{ datanetId: datanetB, version: 2n }] }),
      "ModelRegistryDatanetVersionNotFound",
      [datanetB, 2n],
    );
    await expectError(
      register({ trainedOn: [{ datanetId: datanetA, version: 0n }] }),
      "ModelRegistryDatanetVersionNotFound",
      [datanetA, 0n],
    );
    await expectError(
      register({ trainedOn: [{ datanetId: 99n, version: 1n }] }),
      "ModelRegistryDatanetVersionNotFound",
      [99n, 1n],
    );
    await expectError(
      register({
        trainedOn: [
          { datanetId: datanetA, version: 2n },
          { datanetId: datanetB, version: 1n },
          { datanetId: datanetA, version: 2n },
        ],
      }),
      "ModelRegistryDuplicateTrainedOn",
      [datanetA, 2n],
    );
    await expectError(register({ trainedOn: [] }), "ModelRegistryNoTrainedOn", [7000]);
    await expectError(register({ artifactHash: zeroHash }), "ModelRegistryZeroArtifactHash", []);
    expect(await getModelCount(read())).toBe(0n);
  });

  it("test_constructor_revertsWhenDatanetRegistryIsZero", async () => {
    const data = encodeDeployData({
      abi: modelRegistryAbi,
      bytecode: modelRegistryBytecode,
      args: [zeroAddress],
    });
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
    expect(decodeErrorResult({ abi: modelRegistryAbi, data: raw.data }).errorName).toBe(
      "ModelRegistryZeroAddress",
    );
    const address = await chain.publicClient.readContract({
      address: models,
      abi: modelRegistryAbi,
      functionName: "datanetRegistry",
    });
    expect(address).toBe(getAddress(chain.deployment.contracts.datanetRegistry));
  });

  it("test_views_revertForUnknownIds", async () => {
    await expectError(getModel(read(), { modelId: 1n }), "ModelRegistryModelNotFound", [1n]);
    await expectError(getTrainedOn(read(), { modelId: 1n }), "ModelRegistryModelNotFound", [1n]);
    await expectError(isModelDeprecated(read(), { modelId: 5n }), "ModelRegistryModelNotFound", [5n]);
    await expectError(getModelVersion(read(), { modelId: 5n, version: 1n }), "ModelRegistryModelNotFound", [
      5n,
    ]);
    const { modelId } = await register();
    await expectError(getModelVersion(read(), { modelId, version: 2n }), "ModelRegistryVersionNotFound", [
      modelId,
      2n,
    ]);
    await expectError(getModelVersion(read(), { modelId, version: 0n }), "ModelRegistryVersionNotFound", [
      modelId,
      0n,
    ]);
    expect(await getModelVersionCount(read(), { modelId: 9n })).toBe(0n);
  });
});

describe("ModelRegistry: owner functions", () => {
  it("test_publishModelVersion_appends_andKeepsOldVersions", async () => {
    const { modelId } = await register();
    const trainedOn = [{ datanetId: datanetA, version: 2n }];
    const r = await publishModelVersion(sdk(BUILDER), {
      modelId,
      artifactHash: artifact(2),
      metadataURI: "ipfs://v2",
      trainedOn,
    });
    expect(r.version).toBe(2n);
    expect(events(r.receipt, "ModelVersionPublished")).toEqual([
      { modelId, version: 2n, artifactHash: artifact(2), metadataURI: "ipfs://v2", trainedOn },
    ]);
    expect(await getTrainedOn(read(), { modelId })).toEqual(trainedOn);
    expect((await getModelVersion(read(), { modelId, version: 1n })).trainedOn).toHaveLength(2);
    expect(await getModel(read(), { modelId })).toMatchObject({
      versionCount: 2n,
      artifactHash: artifact(2),
      metadataURI: "ipfs://v2",
    });
  });

  it("test_publishModelVersion_reverts", async () => {
    const { modelId } = await register();
    const ok = {
      modelId,
      artifactHash: artifact(2),
      metadataURI: "",
      trainedOn: [{ datanetId: datanetA, version: 2n }],
    };
    await expectError(publishModelVersion(sdk(OUTSIDER), ok), "ModelRegistryNotModelOwner", [
      modelId,
      addr(OUTSIDER),
    ]);
    await expectError(
      publishModelVersion(sdk(BUILDER), { ...ok, modelId: 9n }),
      "ModelRegistryModelNotFound",
      [9n],
    );
    await expectError(
      publishModelVersion(sdk(BUILDER), { ...ok, trainedOn: [] }),
      "ModelRegistryNoTrainedOn",
      [7000],
    );
    await expectError(
      publishModelVersion(sdk(BUILDER), { ...ok, artifactHash: zeroHash }),
      "ModelRegistryZeroArtifactHash",
      [],
    );
    await expectError(
      publishModelVersion(sdk(BUILDER), { ...ok, trainedOn: [{ datanetId: datanetA, version: 3n }] }),
      "ModelRegistryDatanetVersionNotFound",
      [datanetA, 3n],
    );
    await deprecateModel(sdk(BUILDER), { modelId });
    await expectError(publishModelVersion(sdk(BUILDER), ok), "ModelRegistryDeprecated", [modelId]);
  });

  it("test_setPricing_setSplit_emit", async () => {
    const { modelId } = await register();
    const p2 = { perCall: 0n, per1kOutputTokens: 2n ** 128n - 1n, per1kInputTokens: 2n ** 128n - 2n };
    let r = await setModelPricing(sdk(BUILDER), { modelId, pricing: p2 });
    expect(events(r.receipt, "PricingUpdated")).toEqual([{ modelId, pricing: p2 }]);
    const s2 = { ownerBps: 0, dataBps: 10_000 };
    r = await setModelSplit(sdk(BUILDER), { modelId, split: s2 });
    expect(events(r.receipt, "SplitUpdated")).toEqual([{ modelId, split: s2 }]);
    expect(await getModel(read(), { modelId })).toMatchObject({ pricing: p2, split: s2 });
  });

  it("test_setPricing_setSplit_revert", async () => {
    const { modelId } = await register();
    await expectError(setModelPricing(sdk(OUTSIDER), { modelId, pricing }), "ModelRegistryNotModelOwner", [
      modelId,
      addr(OUTSIDER),
    ]);
    await expectError(setModelSplit(sdk(OUTSIDER), { modelId, split }), "ModelRegistryNotModelOwner", [
      modelId,
      addr(OUTSIDER),
    ]);
    await expectError(
      setModelSplit(sdk(BUILDER), { modelId, split: { ownerBps: 1, dataBps: 1 } }),
      "ModelRegistryInvalidSplit",
      [1, 1],
    );
    await expectError(setModelPricing(sdk(BUILDER), { modelId: 4n, pricing }), "ModelRegistryModelNotFound", [
      4n,
    ]);
    // A model without trained-on versions cannot take a data share.
    const bare = (await register({ trainedOn: [], split: { ownerBps: 10_000, dataBps: 0 } })).modelId;
    await expectError(
      setModelSplit(sdk(BUILDER), { modelId: bare, split }),
      "ModelRegistryNoTrainedOn",
      [7000],
    );
    await deprecateModel(sdk(BUILDER), { modelId });
    await expectError(setModelPricing(sdk(BUILDER), { modelId, pricing }), "ModelRegistryDeprecated", [
      modelId,
    ]);
    await expectError(setModelSplit(sdk(BUILDER), { modelId, split }), "ModelRegistryDeprecated", [modelId]);
  });

  it("test_deprecate_isFinal", async () => {
    const { modelId } = await register();
    await expectError(deprecateModel(sdk(OUTSIDER), { modelId }), "ModelRegistryNotModelOwner", [
      modelId,
      addr(OUTSIDER),
    ]);
    const r = await deprecateModel(sdk(BUILDER), { modelId });
    expect(events(r.receipt, "ModelDeprecated")).toEqual([{ modelId }]);
    expect(await isModelDeprecated(read(), { modelId })).toBe(true);
    expect((await getModel(read(), { modelId })).deprecated).toBe(true);
    await expectError(deprecateModel(sdk(BUILDER), { modelId }), "ModelRegistryDeprecated", [modelId]);
  });

  it("test_transferModelOwnership_movesEveryRight", async () => {
    const { modelId } = await register();
    await expectError(
      transferModelOwnership(sdk(OUTSIDER), { modelId, newOwner: addr(OUTSIDER) }),
      "ModelRegistryNotModelOwner",
      [modelId, addr(OUTSIDER)],
    );
    await expectError(
      transferModelOwnership(sdk(BUILDER), { modelId, newOwner: zeroAddress }),
      "ModelRegistryZeroAddress",
      [],
    );
    const r = await transferModelOwnership(sdk(BUILDER), { modelId, newOwner: addr(OTHER) });
    expect(events(r.receipt, "ModelOwnershipTransferred")).toEqual([
      { modelId, previousOwner: addr(BUILDER), newOwner: addr(OTHER) },
    ]);
    expect((await getModel(read(), { modelId })).owner).toBe(addr(OTHER));
    await expectError(setModelPricing(sdk(BUILDER), { modelId, pricing }), "ModelRegistryNotModelOwner", [
      modelId,
      addr(BUILDER),
    ]);
    await setModelPricing(sdk(OTHER), { modelId, pricing });
    // Ownership of a deprecated model can still move (e.g. to an archive account).
    await deprecateModel(sdk(OTHER), { modelId });
    await transferModelOwnership(sdk(OTHER), { modelId, newOwner: addr(BUILDER) });
  });

  it("test_hints_existForEveryCustomError", () => {
    const errors = modelRegistryAbi.filter((x) => x.type === "error");
    expect(errors.length).toBeGreaterThan(5);
    for (const e of errors) {
      const hint = registryHints[e.name];
      expect(hint, e.name).toBeDefined();
      const args = e.inputs.map((_, i) => `ARG${i}`);
      for (const a of args) expect(hint!(args), e.name).toContain(a);
    }
  });

  it("records registerModel gas", async () => {
    const r = await register();
    console.log(`registerModel (2 trained-on versions): ${r.receipt.gasUsed} gas`);
    expect(r.receipt.gasUsed).toBeLessThan(300_000n);
  });
});

describe("ModelRegistry: lineage", () => {
  const base = keccak256(toHex("base gguf"));
  const config = keccak256(toHex("training config"));

  it("test_recordLineage_storesOnce_andEmits", async () => {
    const { modelId } = await register();
    expect(await getLineage(read(), { modelId, version: 1n })).toEqual({
      baseModelHash: zeroHash,
      configHash: zeroHash,
    });
    const r = await recordLineage(sdk(BUILDER), {
      modelId,
      version: 1n,
      baseModelHash: base,
      configHash: config,
    });
    expect(events(r.receipt, "ModelLineageRecorded")).toEqual([
      { modelId, version: 1n, baseModelHash: base, configHash: config },
    ]);
    expect(await getLineage(read(), { modelId, version: 1n })).toEqual({
      baseModelHash: base,
      configHash: config,
    });
    console.log(`recordLineage: ${r.receipt.gasUsed} gas`);
    expect(r.receipt.gasUsed).toBeLessThan(80_000n);
    // A second version has its own lineage.
    await publishModelVersion(sdk(BUILDER), {
      modelId,
      artifactHash: artifact(2),
      metadataURI: "ipfs://v2",
      trainedOn: [{ datanetId: datanetA, version: 2n }],
    });
    expect((await getLineage(read(), { modelId, version: 2n })).baseModelHash).toBe(zeroHash);
  });

  it("test_recordLineage_reverts", async () => {
    const { modelId } = await register();
    const lineage = { modelId, version: 1n, baseModelHash: base, configHash: config };
    await expectError(recordLineage(sdk(OUTSIDER), lineage), "ModelRegistryNotModelOwner", [
      modelId,
      addr(OUTSIDER),
    ]);
    await expectError(
      recordLineage(sdk(BUILDER), { ...lineage, version: 2n }),
      "ModelRegistryVersionNotFound",
      [modelId, 2n],
    );
    await expectError(
      recordLineage(sdk(BUILDER), { ...lineage, version: 0n }),
      "ModelRegistryVersionNotFound",
      [modelId, 0n],
    );
    await expectError(
      recordLineage(sdk(BUILDER), { ...lineage, baseModelHash: zeroHash }),
      "ModelRegistryZeroBaseModelHash",
      [],
    );
    await expectError(
      recordLineage(sdk(BUILDER), { ...lineage, modelId: 99n }),
      "ModelRegistryModelNotFound",
      [99n],
    );
    await recordLineage(sdk(BUILDER), lineage);
    await expectError(
      recordLineage(sdk(BUILDER), { ...lineage, configHash: zeroHash }),
      "ModelRegistryLineageAlreadyRecorded",
      [modelId, 1n],
    );
    expect(await getLineage(read(), { modelId, version: 1n })).toEqual({
      baseModelHash: base,
      configHash: config,
    });
    await expectError(getLineage(read(), { modelId, version: 2n }), "ModelRegistryVersionNotFound", [
      modelId,
      2n,
    ]);
    await deprecateModel(sdk(BUILDER), { modelId });
    const { modelId: other } = await register();
    await deprecateModel(sdk(BUILDER), { modelId: other });
    await expectError(
      recordLineage(sdk(BUILDER), { ...lineage, modelId: other }),
      "ModelRegistryDeprecated",
      [other],
    );
  });
});
