import { settlementAbi, settlementBytecode } from "@tributary/abi";
import { buildCumulativeTree } from "@tributary/core";
import { signEpochReport } from "@tributary/sdk";
import { type Address, decodeErrorResult, encodeFunctionData, type Hex, keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mined, setupTestChain, type TestChain } from "./fixture.ts";
import { loadHarness } from "./harness.ts";

/**
 * Settlement against a hostile token that re-enters `claim` from inside the payout transfer: the
 * re-entry must fail (guard and checks-effects-interactions) and the account must be paid once.
 */
describe("Settlement re-entrancy", () => {
  let chain: TestChain;
  const hostile = loadHarness("ReentrantToken");
  let token: Address;
  let settlement: Address;

  beforeAll(async () => {
    chain = await setupTestChain();
    const owner = chain.wallets[0]!;
    const t = await mined(chain, owner.deployContract({ abi: hostile.abi, bytecode: hostile.bytecode }));
    token = t.contractAddress!;
    const s = await mined(
      chain,
      owner.deployContract({
        abi: settlementAbi,
        bytecode: settlementBytecode,
        args: [
          token,
          chain.roles.owner,
          [chain.roles.attestors[0]!],
          1n,
          60n,
          600n,
          500,
          chain.roles.treasury,
          chain.roles.guardian,
        ],
      }),
    );
    settlement = s.contractAddress!;
  });
  afterAll(() => chain?.stop());

  it("a claim re-entered from the token's transfer fails and the account is paid exactly once", async () => {
    const [owner, payer] = [chain.wallets[0]!, chain.wallets[6]!];
    const account = chain.roles.users[2]!;
    const call = (
      w: typeof owner,
      address: Address,
      abi: typeof hostile.abi,
      functionName: string,
      args: readonly unknown[],
    ) => mined(chain, w.writeContract({ address, abi, functionName, args } as never));

    await call(owner, token, hostile.abi, "mint", [chain.roles.users[0]!, 1000n]);
    await call(payer, token, hostile.abi, "approve", [settlement, 1000n]);
    await call(payer, settlement, settlementAbi as never, "deposit", [1000n]);

    const rewards = buildCumulativeTree([
      { account, amount: 300n },
      { account: chain.roles.users[3]!, amount: 200n },
    ]);
    const charges = buildCumulativeTree([{ account: chain.roles.users[0]!, amount: 500n }]);
    const report = {
      epoch: 1n,
      chargesRoot: charges.root,
      rewardsRoot: rewards.root,
      cumulativeCharged: 500n,
      cumulativeRewards: 500n,
      receiptsRoot: keccak256(toHex("receipts")),
      bundleURI: "ipfs://bundle",
    };
    const sig = await signEpochReport(chain.accounts[3]!, chain.anvil.chainId, settlement, report);
    await call(owner, settlement, settlementAbi as never, "submitEpoch", [report, [sig]]);
    await chain.testClient.increaseTime({ seconds: 61 });
    await chain.testClient.mine({ blocks: 1 });
    await call(owner, settlement, settlementAbi as never, "finalizeEpoch", [1n]);

    const proof = rewards.proofOf(account);
    const claimData = encodeFunctionData({
      abi: settlementAbi,
      functionName: "claim",
      args: [account, 300n, proof],
    });
    await call(owner, token, hostile.abi, "arm", [settlement, claimData]);
    await call(chain.wallets[9]!, settlement, settlementAbi as never, "claim", [account, 300n, proof]);

    const read = (functionName: string, args: readonly unknown[] = []) =>
      chain.publicClient.readContract({ address: token, abi: hostile.abi, functionName, args });
    expect(await read("reentryAttempts")).toBe(1n);
    expect(await read("reentrySucceeded")).toBe(false);
    const revertData = (await read("reentryRevertData")) as Hex;
    const decoded = decodeErrorResult({ abi: settlementAbi, data: revertData });
    expect(decoded.errorName).toBe("ReentrancyGuardReentrantCall");
    expect(await read("balanceOf", [account])).toBe(300n);
    expect(await read("balanceOf", [settlement])).toBe(700n);
    const claimed = await chain.publicClient.readContract({
      address: settlement,
      abi: settlementAbi,
      functionName: "claimed",
      args: [account],
    });
    expect(claimed).toBe(300n);
  });
});
