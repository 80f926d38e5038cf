import {
  type Anvil,
  type DeployConfig,
  type Deployment,
  deployTributary,
  startAnvil,
} from "@tributary/chain";
import {
  type Account,
  type Address,
  BaseError,
  type Chain,
  ContractFunctionRevertedError,
  createPublicClient,
  createTestClient,
  createWalletClient,
  type Hex,
  http,
  type PublicClient,
  type TestClient,
  type Transport,
  type WalletClient,
} from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { expect } from "vitest";

/** The mnemonic anvil funds by default; its keys are public, use them only on local chains. */
export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** The ten funded anvil accounts, by role in the default fixture. */
export function anvilAccounts(count = 10) {
  return Array.from({ length: count }, (_, i) => mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }));
}

export type Wallet = WalletClient<Transport, Chain, Account>;

/** A running local chain with Tributary deployed. */
export type TestChain = {
  anvil: Anvil;
  publicClient: PublicClient<Transport, Chain>;
  testClient: TestClient<"anvil", Transport, Chain>;
  /** Wallet clients of the ten anvil accounts. */
  wallets: Wallet[];
  accounts: ReturnType<typeof anvilAccounts>;
  /** Roles: deployer/owner = 0, treasury = 1, guardian = 2, attestors = 3..5 (quorum from config), users 6..9. */
  roles: { owner: Address; treasury: Address; guardian: Address; attestors: Address[]; users: Address[] };
  deployment: Deployment;
  config: DeployConfig;
  /** Takes an anvil snapshot; `revert(id)` returns the chain to it. */
  snapshot(): Promise<Hex>;
  revert(id: Hex): Promise<void>;
  /** A wallet for any account, e.g. an extra one created with `privateKeyToAccount`. */
  walletFor(account: Account): Wallet;
  stop(): Promise<void>;
};

/**
 * Starts anvil and deploys every contract with the default local parameters (overridable).
 *
 * @example
 * let chain: TestChain;
 * beforeAll(async () => { chain = await setupTestChain(); });
 * afterAll(() => chain.stop());
 */
export async function setupTestChain(overrides: Partial<DeployConfig> = {}): Promise<TestChain> {
  const anvil = await startAnvil();
  const accounts = anvilAccounts();
  const transport = http(anvil.rpcUrl);
  const chain = { ...foundry, rpcUrls: { default: { http: [anvil.rpcUrl] } } } as Chain;
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 }) as PublicClient<
    Transport,
    Chain
  >;
  const testClient = createTestClient({ chain, transport, mode: "anvil" }) as TestClient<
    "anvil",
    Transport,
    Chain
  >;
  const walletFor = (account: Account) => createWalletClient({ account, chain, transport }) as Wallet;
  const wallets = accounts.map(walletFor);
  const a = (i: number) => accounts[i]!.address;
  const roles = {
    owner: a(0),
    treasury: a(1),
    guardian: a(2),
    attestors: [a(3), a(4), a(5)],
    users: [a(6), a(7), a(8), a(9)],
  };
  const config: DeployConfig = {
    owner: roles.owner,
    treasury: roles.treasury,
    guardian: roles.guardian,
    attestors: [a(3)],
    quorum: 1,
    challengeWindow: 3600n,
    withdrawalDelay: 86_400n,
    protocolFeeBps: 500,
    ...overrides,
  };
  const deployment = await deployTributary({ rpcUrl: anvil.rpcUrl, account: accounts[0]!, config, chain });
  return {
    anvil,
    publicClient,
    testClient,
    wallets,
    accounts,
    roles,
    deployment,
    config,
    snapshot: () => testClient.snapshot(),
    revert: async (id) => {
      await testClient.revert({ id });
    },
    walletFor,
    stop: () => anvil.stop(),
  };
}

/**
 * Asserts that `promise` reverts with the custom error `errorName` and, when given, exactly `args`.
 * Works for raw viem calls (decoded with the ABI the call was made with) and for SDK actions
 * (`ContractRevertError`).
 */
export async function expectRevert(promise: Promise<unknown>, errorName: string, args?: readonly unknown[]) {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected a revert with ${errorName}, but the call succeeded`).toBeDefined();
  // SDK actions throw ContractRevertError (errorName + decoded args); raw viem calls throw viem errors.
  const sdkError = caught as { name?: string; errorName?: string; args?: readonly unknown[] };
  if (sdkError.name === "ContractRevertError") {
    expect(sdkError.errorName).toBe(errorName);
    if (args !== undefined) expect(sdkError.args ?? []).toEqual(args);
    return;
  }
  if (!(caught instanceof BaseError)) throw caught;
  const revert = caught.walk((e) => e instanceof ContractFunctionRevertedError);
  if (!(revert instanceof ContractFunctionRevertedError)) throw caught;
  expect(revert.data?.errorName, `revert reason: ${revert.shortMessage}`).toBe(errorName);
  if (args !== undefined) expect(revert.data?.args ?? []).toEqual(args);
}

/** Sends a transaction and waits for its receipt, failing the test when it reverted. */
export async function mined(chain: TestChain, hash: Promise<Hex> | Hex) {
  const receipt = await chain.publicClient.waitForTransactionReceipt({ hash: await hash });
  expect(receipt.status).toBe("success");
  return receipt;
}
