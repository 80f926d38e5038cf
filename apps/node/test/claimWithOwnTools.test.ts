import { readFileSync } from "node:fs";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import {
  type Abi,
  type Address,
  createPublicClient,
  createWalletClient,
  erc20Abi,
  type Hex,
  http,
} from "viem";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PaidNetwork, setupPaidNetwork } from "../src/epochs/testing/paidNetwork.ts";

/**
 * The claim walkthrough of docs/contracts-settlement.md ("Claim with your own tools"), step by step, with
 * nothing of Tributary's but the node's public proof route and the published JSON ABI: the proof is checked
 * with @openzeppelin/merkle-tree against the root Settlement finalized, and the contributor claims from its
 * own wallet with plain viem.
 */
describe("claim with your own tools (JSON ABI, @openzeppelin/merkle-tree, viem)", () => {
  let net: PaidNetwork;

  beforeAll(async () => {
    net = await setupPaidNetwork();
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("verifies the node's proof independently and claims exactly the cumulative amount", async () => {
    const url = net.nodes[0]!.url;
    const res = await net.chat(net.payers[0]!.key, "Call me Ishmael.", { temperature: 0 });
    expect(res.status).toBe(200);
    const closed = await fetch(`${url}/v1/epochs/close`, { method: "POST" });
    expect(closed.status).toBe(201);
    await net.advance(61);
    expect((await fetch(`${url}/v1/epochs/1/finalize`, { method: "POST" })).status).toBe(200);

    // 1. The published ABI, as any tool reads it.
    const settlementAbi = JSON.parse(
      readFileSync(new URL("../../../packages/abi/json/Settlement.json", import.meta.url), "utf8"),
    ) as Abi;
    const { settlement, token } = net.chain.deployment.contracts;
    const chain = { ...foundry, id: net.chain.deployment.chainId };
    const publicClient = createPublicClient({ chain, transport: http(net.chain.anvil.rpcUrl) });

    // 2. The proof from the node, checked against the root on chain: the leaf is (address, uint256).
    const proof = (await (
      await fetch(`${url}/v1/accounts/${net.contributor}/proof?tree=rewards`)
    ).json()) as {
      cumulativeAmount: string;
      proof: Hex[];
    };
    const { rewardsRoot } = (await publicClient.readContract({
      address: settlement,
      abi: settlementAbi,
      functionName: "finalizedEpoch",
    })) as { rewardsRoot: Hex };
    const amount = BigInt(proof.cumulativeAmount);
    expect(amount).toBeGreaterThan(0n);
    expect(
      StandardMerkleTree.verify(rewardsRoot, ["address", "uint256"], [net.contributor, amount], proof.proof),
    ).toBe(true);
    // A proof for one unit more does not verify: the amount is bound by the leaf.
    expect(
      StandardMerkleTree.verify(
        rewardsRoot,
        ["address", "uint256"],
        [net.contributor, amount + 1n],
        proof.proof,
      ),
    ).toBe(false);

    // 3. The contributor claims from its own wallet.
    const wallet = createWalletClient({
      account: net.chain.accounts[6]!,
      chain,
      transport: http(net.chain.anvil.rpcUrl),
    });
    const balance = (a: Address) =>
      publicClient.readContract({ address: token, abi: erc20Abi, functionName: "balanceOf", args: [a] });
    const before = await balance(net.contributor);
    const hash = await wallet.writeContract({
      address: settlement,
      abi: settlementAbi,
      functionName: "claim",
      args: [net.contributor, amount, proof.proof],
    });
    expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    expect(await balance(net.contributor)).toBe(before + amount);
  });
});
