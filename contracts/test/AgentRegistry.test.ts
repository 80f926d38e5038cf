import { agentRegistryAbi, agentRegistryBytecode } from "@tributary/abi";
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
  parseEventLogs,
  type TransactionReceipt,
  toHex,
  zeroAddress,
} from "viem";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createDatanet,
  deactivateAgent,
  deprecateModel,
  getAgent,
  getAgentCount,
  getMaxAgentFeeBps,
  isModelAllowed,
  licenseIdOf,
  publishVersion,
  registerAgent,
  registerModel,
  setAllowedModels,
  updateAgent,
} from "../../packages/sdk/src/actions/registries.ts";
import { createTributaryClient, type TributaryClient } from "../../packages/sdk/src/client.ts";
import { ContractRevertError } from "../../packages/sdk/src/errors/ContractRevertError.ts";
import { registryHints } from "../../packages/sdk/src/errors/hints/registries.ts";
import { setupTestChain, type TestChain } from "./fixture.ts";

let chain: TestChain;
let snap: Hex;
let agents: Address;
// Models 1..3 are live; model 4 is deprecated.
const M1 = 1n;
const M2 = 2n;
const M3 = 3n;
const DEPRECATED = 4n;

// Roles: 6 datanet + model owner, 7 operator, 8 other operator, 9 outsider.
const OPERATOR = 7;
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
    abi: agentRegistryAbi,
    logs: receipt.logs.filter((l) => isAddressEqual(l.address, agents)),
  })
    .filter((e) => e.eventName === eventName)
    .map((e) => e.args as Record<string, unknown>);
}

const register = (allowedModels: readonly bigint[] = [M1, M2], feeBps = 500, as = OPERATOR) =>
  registerAgent(sdk(as), { agentCardURI: "ipfs://card", allowedModels, feeBps });

beforeAll(async () => {
  chain = await setupTestChain();
  agents = getAddress(chain.deployment.contracts.agentRegistry);
  const policy = { curated: false, minStake: 0n, licenseId: licenseIdOf("MIT"), refundStakeOnAccept: true };
  const { datanetId } = await createDatanet(sdk(6), { metadataURI: "d", policy });
  await publishVersion(sdk(6), {
    datanetId,
    contributionsRoot: keccak256(toHex("r")),
    count: 1n,
    manifestURI: "m",
  });
  for (let i = 1; i <= 4; i++) {
    await registerModel(sdk(6), {
      metadataURI: `model ${i}`,
      artifactHash: keccak256(toHex(`weights ${i}`)),
      baseModel: "infinigram",
      trainedOn: [{ datanetId, version: 1n }],
      pricing: { perCall: 1n, per1kOutputTokens: 1n, per1kInputTokens: 1n },
      split: { ownerBps: 5000, dataBps: 5000 },
    });
  }
  await deprecateModel(sdk(6), { modelId: DEPRECATED });
});
afterAll(() => chain?.stop());
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe("AgentRegistry", () => {
  it("test_registerAgent_storesAndEmits", async () => {
    const r = await register();
    expect(r.agentId).toBe(1n);
    expect(events(r.receipt, "AgentRegistered")).toEqual([
      {
        agentId: 1n,
        operator: addr(OPERATOR),
        agentCardURI: "ipfs://card",
        feeBps: 500,
        allowedModels: [M1, M2],
      },
    ]);
    expect(await getAgent(read(), { agentId: 1n })).toEqual({
      operator: addr(OPERATOR),
      active: true,
      feeBps: 500,
      agentCardURI: "ipfs://card",
      allowedModels: [M1, M2],
    });
    expect(await isModelAllowed(read(), { agentId: 1n, modelId: M1 })).toBe(true);
    expect(await isModelAllowed(read(), { agentId: 1n, modelId: M3 })).toBe(false);
    expect((await register([], 0, OTHER)).agentId).toBe(2n);
    expect(await getAgentCount(read())).toBe(2n);
    expect(await getMaxAgentFeeBps(read())).toBe(10_000);
    // The maximum fee itself is allowed.
    await register([M3], 10_000);
  });

  it("test_registerAgent_reverts", async () => {
    await expectError(register([M1], 10_001), "AgentRegistryFeeTooHigh", [10_001, 10_000]);
    await expectError(register([0n]), "AgentRegistryModelNotFound", [0n]);
    await expectError(register([M1, 5n]), "AgentRegistryModelNotFound", [5n]);
    await expectError(register([DEPRECATED]), "AgentRegistryModelDeprecated", [DEPRECATED]);
    await expectError(register([M1, M2, M1]), "AgentRegistryDuplicateModel", [M1]);
    expect(await getAgentCount(read())).toBe(0n);
  });

  it("test_updateAgent_emits_andReverts", async () => {
    const { agentId } = await register();
    const r = await updateAgent(sdk(OPERATOR), { agentId, agentCardURI: "ipfs://new", feeBps: 42 });
    expect(events(r.receipt, "AgentUpdated")).toEqual([{ agentId, agentCardURI: "ipfs://new", feeBps: 42 }]);
    expect(await getAgent(read(), { agentId })).toMatchObject({ agentCardURI: "ipfs://new", feeBps: 42 });
    await expectError(
      updateAgent(sdk(OUTSIDER), { agentId, agentCardURI: "", feeBps: 0 }),
      "AgentRegistryNotOperator",
      [agentId, addr(OUTSIDER)],
    );
    await expectError(
      updateAgent(sdk(OPERATOR), { agentId: 7n, agentCardURI: "", feeBps: 0 }),
      "AgentRegistryAgentNotFound",
      [7n],
    );
    await expectError(
      updateAgent(sdk(OPERATOR), { agentId, agentCardURI: "", feeBps: 20_000 }),
      "AgentRegistryFeeTooHigh",
      [20_000, 10_000],
    );
  });

  it("test_setAllowedModels_replacesTheWholeList", async () => {
    const { agentId } = await register([M1, M2]);
    const r = await setAllowedModels(sdk(OPERATOR), { agentId, allowedModels: [M3, M2] });
    expect(events(r.receipt, "AllowedModelsSet")).toEqual([{ agentId, allowedModels: [M3, M2] }]);
    expect(await isModelAllowed(read(), { agentId, modelId: M1 })).toBe(false);
    expect(await isModelAllowed(read(), { agentId, modelId: M2 })).toBe(true);
    expect(await isModelAllowed(read(), { agentId, modelId: M3 })).toBe(true);
    expect((await getAgent(read(), { agentId })).allowedModels).toEqual([M3, M2]);
    await setAllowedModels(sdk(OPERATOR), { agentId, allowedModels: [] });
    for (const modelId of [M1, M2, M3])
      expect(await isModelAllowed(read(), { agentId, modelId })).toBe(false);
    await setAllowedModels(sdk(OPERATOR), { agentId, allowedModels: [M1] });
    expect(await isModelAllowed(read(), { agentId, modelId: M1 })).toBe(true);
  });

  it("test_setAllowedModels_reverts", async () => {
    const { agentId } = await register();
    await expectError(
      setAllowedModels(sdk(OUTSIDER), { agentId, allowedModels: [M1] }),
      "AgentRegistryNotOperator",
      [agentId, addr(OUTSIDER)],
    );
    await expectError(
      setAllowedModels(sdk(OPERATOR), { agentId, allowedModels: [M3, M3] }),
      "AgentRegistryDuplicateModel",
      [M3],
    );
    await expectError(
      setAllowedModels(sdk(OPERATOR), { agentId, allowedModels: [9n] }),
      "AgentRegistryModelNotFound",
      [9n],
    );
    await expectError(
      setAllowedModels(sdk(OPERATOR), { agentId, allowedModels: [DEPRECATED] }),
      "AgentRegistryModelDeprecated",
      [DEPRECATED],
    );
    // A failed replacement leaves the old list in force.
    expect(await isModelAllowed(read(), { agentId, modelId: M1 })).toBe(true);
  });

  it("test_deactivate_isFinal", async () => {
    const { agentId } = await register();
    await expectError(deactivateAgent(sdk(OUTSIDER), { agentId }), "AgentRegistryNotOperator", [
      agentId,
      addr(OUTSIDER),
    ]);
    const r = await deactivateAgent(sdk(OPERATOR), { agentId });
    expect(events(r.receipt, "AgentDeactivated")).toEqual([{ agentId }]);
    expect((await getAgent(read(), { agentId })).active).toBe(false);
    expect(await isModelAllowed(read(), { agentId, modelId: M1 })).toBe(false);
    await expectError(deactivateAgent(sdk(OPERATOR), { agentId }), "AgentRegistryAgentInactive", [agentId]);
    await expectError(
      updateAgent(sdk(OPERATOR), { agentId, agentCardURI: "", feeBps: 0 }),
      "AgentRegistryAgentInactive",
      [agentId],
    );
    await expectError(
      setAllowedModels(sdk(OPERATOR), { agentId, allowedModels: [] }),
      "AgentRegistryAgentInactive",
      [agentId],
    );
  });

  it("test_isModelAllowed_falseForUnknownAgentAndAfterDeprecation", async () => {
    expect(await isModelAllowed(read(), { agentId: 9n, modelId: M1 })).toBe(false);
    expect(await isModelAllowed(read(), { agentId: 0n, modelId: 0n })).toBe(false);
    const { agentId } = await register([M1]);
    await deprecateModel(sdk(6), { modelId: M1 });
    expect(await isModelAllowed(read(), { agentId, modelId: M1 })).toBe(false);
    await expectError(getAgent(read(), { agentId: 9n }), "AgentRegistryAgentNotFound", [9n]);
  });

  it("property_isModelAllowed_matchesTheLastList", async () => {
    const { agentId } = await register([]);
    const list = fc.uniqueArray(fc.constantFrom<bigint>(M1, M2, M3), { maxLength: 3 });
    await fc.assert(
      fc.asyncProperty(fc.array(list, { minLength: 1, maxLength: 4 }), async (lists) => {
        for (const allowedModels of lists) await setAllowedModels(sdk(OPERATOR), { agentId, allowedModels });
        const last = lists.at(-1)!;
        for (const modelId of [M1, M2, M3]) {
          expect(await isModelAllowed(read(), { agentId, modelId })).toBe(last.includes(modelId));
        }
      }),
      { numRuns: 10, seed: 7 },
    );
  });

  it("test_constructor_revertsWhenModelRegistryIsZero", async () => {
    const data = encodeDeployData({
      abi: agentRegistryAbi,
      bytecode: agentRegistryBytecode,
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
    expect(decodeErrorResult({ abi: agentRegistryAbi, data: raw.data }).errorName).toBe(
      "AgentRegistryZeroAddress",
    );
    const address = await chain.publicClient.readContract({
      address: agents,
      abi: agentRegistryAbi,
      functionName: "modelRegistry",
    });
    expect(address).toBe(getAddress(chain.deployment.contracts.modelRegistry));
  });

  it("test_hints_existForEveryCustomError", () => {
    const errors = agentRegistryAbi.filter((x) => x.type === "error");
    expect(errors.length).toBeGreaterThan(5);
    for (const e of errors) {
      const hint = registryHints[e.name];
      expect(hint, e.name).toBeDefined();
      const args = e.inputs.map((_, i) => `ARG${i}`);
      for (const a of args) expect(hint!(args), e.name).toContain(a);
    }
  });
});
