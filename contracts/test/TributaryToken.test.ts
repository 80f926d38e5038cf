import { tributaryTokenAbi } from "@tributary/abi";
import { type Hex, parseEther, zeroAddress } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  approveTokens,
  getPermitNonce,
  getTokenAllowance,
  getTokenBalance,
  getTokenMetadata,
  getTokenOwner,
  getTokenTotalSupply,
  mintTokens,
  permitTokens,
  signPermit,
  transferTokenOwnership,
  transferTokens,
  transferTokensFrom,
} from "../../packages/sdk/src/actions/registries.ts";
import { createTributaryClient, type TributaryClient } from "../../packages/sdk/src/client.ts";
import { ContractRevertError } from "../../packages/sdk/src/errors/ContractRevertError.ts";
import { registryHints } from "../../packages/sdk/src/errors/hints/registries.ts";
import { setupTestChain, type TestChain } from "./fixture.ts";

let chain: TestChain;
let snap: Hex;
const sdk = (i: number): TributaryClient =>
  createTributaryClient({
    publicClient: chain.publicClient as TributaryClient["publicClient"],
    walletClient: chain.wallets[i]! as TributaryClient["walletClient"] & object,
    addresses: chain.deployment.contracts,
  });

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
  expect(revert.hint).toBeTruthy();
}

beforeAll(async () => {
  chain = await setupTestChain();
});
afterAll(() => chain?.stop());
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

describe("TributaryToken", () => {
  it("test_metadata: Tributary / TRIB / 18 decimals, owned by the deployer's configured owner", async () => {
    expect(await getTokenMetadata(sdk(0))).toEqual({ name: "Tributary", symbol: "TRIB", decimals: 18 });
    expect(await getTokenOwner(sdk(0))).toBe(chain.roles.owner);
    expect(await getTokenTotalSupply(sdk(0))).toBe(0n);
  });

  it("test_mint_byOwner_creditsAndEmitsTransfer", async () => {
    const user = chain.roles.users[0]!;
    const { receipt } = await mintTokens(sdk(0), { to: user, amount: parseEther("5") });
    expect(await getTokenBalance(sdk(0), { account: user })).toBe(parseEther("5"));
    expect(await getTokenTotalSupply(sdk(0))).toBe(parseEther("5"));
    const transfer = receipt.logs.find(
      (l) => l.address.toLowerCase() === chain.deployment.contracts.token.toLowerCase(),
    );
    expect(transfer?.topics[1]).toBe(`0x${"0".repeat(64)}`);
  });

  it("test_mint_revertsWhenNotOwner", async () => {
    const user = chain.roles.users[0]!;
    await expectError(mintTokens(sdk(6), { to: user, amount: 1n }), "OwnableUnauthorizedAccount", [user]);
  });

  it("test_transferOwnership_movesTheMintRight", async () => {
    const [a, b] = chain.roles.users as [Hex, Hex];
    await expectError(transferTokenOwnership(sdk(6), { newOwner: a }), "OwnableUnauthorizedAccount", [a]);
    await transferTokenOwnership(sdk(0), { newOwner: a });
    expect(await getTokenOwner(sdk(0))).toBe(a);
    await expectError(mintTokens(sdk(0), { to: b, amount: 1n }), "OwnableUnauthorizedAccount", [
      chain.roles.owner,
    ]);
    await mintTokens(sdk(6), { to: b, amount: 1n });
    expect(await getTokenBalance(sdk(0), { account: b })).toBe(1n);
  });

  it("test_transfer_approve_transferFrom", async () => {
    const [a, b, c] = chain.roles.users as [Hex, Hex, Hex];
    await mintTokens(sdk(0), { to: a, amount: 100n });
    await transferTokens(sdk(6), { to: b, amount: 30n });
    expect(await getTokenBalance(sdk(0), { account: b })).toBe(30n);
    await approveTokens(sdk(6), { spender: c, amount: 50n });
    expect(await getTokenAllowance(sdk(0), { owner: a, spender: c })).toBe(50n);
    await transferTokensFrom(sdk(8), { from: a, to: c, amount: 20n });
    expect(await getTokenBalance(sdk(0), { account: a })).toBe(50n);
    expect(await getTokenBalance(sdk(0), { account: c })).toBe(20n);
    expect(await getTokenAllowance(sdk(0), { owner: a, spender: c })).toBe(30n);
  });

  it("test_transfer_revertsWhenBalanceOrAllowanceIsShort", async () => {
    const [a, b, c] = chain.roles.users as [Hex, Hex, Hex];
    await mintTokens(sdk(0), { to: a, amount: 10n });
    await expectError(transferTokens(sdk(6), { to: b, amount: 11n }), "ERC20InsufficientBalance", [
      a,
      10n,
      11n,
    ]);
    await expectError(
      transferTokensFrom(sdk(8), { from: a, to: c, amount: 1n }),
      "ERC20InsufficientAllowance",
      [c, 0n, 1n],
    );
  });

  it("test_permit_setsAllowanceWithoutATransactionFromTheOwner", async () => {
    // A fresh key with tokens but no ETH: it can only act through signatures.
    const holder = privateKeyToAccount(generatePrivateKey());
    await mintTokens(sdk(0), { to: holder.address, amount: 100n });
    const spender = chain.roles.users[1]!;
    const deadline = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const base = {
      chainId: chain.deployment.chainId,
      token: chain.deployment.contracts.token,
      spender,
      value: 70n,
    };
    const signature = await signPermit(holder, { ...base, nonce: 0n, deadline });
    await permitTokens(sdk(6), { owner: holder.address, spender, value: 70n, deadline, signature });
    expect(await getTokenAllowance(sdk(0), { owner: holder.address, spender })).toBe(70n);
    expect(await getPermitNonce(sdk(0), { owner: holder.address })).toBe(1n);
    // Replay: the nonce moved, so the recovered signer is some other address.
    const replay = permitTokens(sdk(6), { owner: holder.address, spender, value: 70n, deadline, signature });
    await expectError(replay, "ERC2612InvalidSigner");
  });

  it("test_permit_revertsWhenExpiredOrSignedByAnotherKey", async () => {
    const holder = privateKeyToAccount(generatePrivateKey());
    const other = privateKeyToAccount(generatePrivateKey());
    const spender = chain.roles.users[1]!;
    const base = {
      chainId: chain.deployment.chainId,
      token: chain.deployment.contracts.token,
      spender,
      value: 1n,
    };
    const block = await chain.publicClient.getBlock();
    const past = block.timestamp - 1n;
    const expired = await signPermit(holder, { ...base, nonce: 0n, deadline: past });
    await expectError(
      permitTokens(sdk(6), { owner: holder.address, spender, value: 1n, deadline: past, signature: expired }),
      "ERC2612ExpiredSignature",
      [past],
    );
    const deadline = block.timestamp + 3600n;
    // `other` signs a permit naming `holder` as owner: the token recovers `other`, not `holder`.
    const forged = await other.signTypedData({
      domain: { name: "Tributary", version: "1", chainId: base.chainId, verifyingContract: base.token },
      types: {
        Permit: [
          { name: "owner", type: "address" },
          { name: "spender", type: "address" },
          { name: "value", type: "uint256" },
          { name: "nonce", type: "uint256" },
          { name: "deadline", type: "uint256" },
        ],
      },
      primaryType: "Permit",
      message: { owner: holder.address, spender, value: 1n, nonce: 0n, deadline },
    });
    await expectError(
      permitTokens(sdk(6), { owner: holder.address, spender, value: 1n, deadline, signature: forged }),
      "ERC2612InvalidSigner",
      [other.address, holder.address],
    );
  });

  it("test_mint_toZeroAddress_reverts", async () => {
    await expectError(mintTokens(sdk(0), { to: zeroAddress, amount: 1n }), "ERC20InvalidReceiver", [
      zeroAddress,
    ]);
  });

  it("test_hints_coverOwnerAndBalanceErrors", () => {
    for (const e of tributaryTokenAbi.filter((x) => x.type === "error")) {
      if (
        ["ERC20InsufficientAllowance", "ERC20InsufficientBalance", "ERC2612ExpiredSignature"].includes(e.name)
      ) {
        expect(registryHints[e.name], e.name).toBeDefined();
      }
    }
    expect(registryHints.OwnableUnauthorizedAccount?.(["0xabc"])).toContain("0xabc");
  });
});
