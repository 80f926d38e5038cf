import { expectRevert, setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deposit } from "../actions/settlement/deposit.ts";
import { createTributaryClient } from "../client.ts";
import { ContractRevertError } from "./ContractRevertError.ts";

describe("SDK revert decoding", () => {
  let chain: TestChain;
  beforeAll(async () => {
    chain = await setupTestChain();
  });
  afterAll(() => chain?.stop());

  it("decodes an error raised by another contract (the token inside Settlement.deposit) with its arguments and a hint", async () => {
    const payer = chain.wallets[6]!;
    const client = createTributaryClient({
      publicClient: chain.publicClient as never,
      walletClient: payer as never,
      addresses: chain.deployment.contracts,
    });
    let error: unknown;
    try {
      await deposit(client, { amount: 5n });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ContractRevertError);
    const revert = error as ContractRevertError;
    expect(revert.errorName).toBe("ERC20InsufficientAllowance");
    expect(revert.args).toEqual([chain.deployment.contracts.settlement, 0n, 5n]);
    expect(revert.code).toBe("CONTRACT_REVERT");
    expect(revert.hint).toMatch(/approve|allowance/i);
    await expectRevert(deposit(client, { amount: 5n }), "ERC20InsufficientAllowance", [
      chain.deployment.contracts.settlement,
      0n,
      5n,
    ]);
  });
});
