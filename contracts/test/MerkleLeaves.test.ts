import { readFileSync } from "node:fs";
import { type Anvil, startAnvil } from "@tributary/chain";
import { type Address, createPublicClient, createWalletClient, type Hex, http } from "viem";
import { foundry } from "viem/chains";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anvilAccounts } from "./fixture.ts";
import { loadHarness } from "./harness.ts";

type Vectors = {
  cases: {
    name: string;
    types: string[];
    root: Hex;
    leaves: { value: string[]; hash: Hex; proof: Hex[] }[];
  }[];
};
const vectors = JSON.parse(
  readFileSync(new URL("./vectors/merkle.json", import.meta.url), "utf8"),
) as Vectors;

describe("MerkleLeaves.sol against the shared vectors", () => {
  let anvil: Anvil;
  let address: Address;
  const harness = loadHarness("MerkleLeavesHarness");
  let client: ReturnType<typeof createPublicClient>;

  beforeAll(async () => {
    anvil = await startAnvil();
    const transport = http(anvil.rpcUrl);
    client = createPublicClient({ chain: foundry, transport });
    const wallet = createWalletClient({ chain: foundry, transport, account: anvilAccounts(1)[0]! });
    const hash = await wallet.deployContract({ abi: harness.abi, bytecode: harness.bytecode });
    address = (await client.waitForTransactionReceipt({ hash })).contractAddress!;
  });
  afterAll(() => anvil?.stop());

  for (const c of vectors.cases) {
    it(`${c.name}: leaf hashes equal and proofs verify on chain`, async () => {
      for (const leaf of c.leaves) {
        const kind = c.name.startsWith("cumulative") ? "cumulative" : "contribution";
        const args =
          kind === "cumulative"
            ? [leaf.value[0] as Address, BigInt(leaf.value[1]!)]
            : [BigInt(leaf.value[0]!), leaf.value[1] as Hex, leaf.value[2] as Address];
        const onChain = await client.readContract({ address, abi: harness.abi, functionName: kind, args });
        expect(onChain).toBe(leaf.hash);
        const ok = await client.readContract({
          address,
          abi: harness.abi,
          functionName: "verify",
          args: [leaf.proof, c.root, leaf.hash],
        });
        expect(ok).toBe(true);
      }
    });
  }

  it("a proof with one flipped bit does not verify", async () => {
    const c = vectors.cases.find((x) => x.leaves.length > 4)!;
    const leaf = c.leaves[1]!;
    const bad = [...leaf.proof];
    bad[0] = `${bad[0]!.slice(0, -1)}${bad[0]!.endsWith("0") ? "1" : "0"}` as Hex;
    const ok = await client.readContract({
      address,
      abi: harness.abi,
      functionName: "verify",
      args: [bad, c.root, leaf.hash],
    });
    expect(ok).toBe(false);
  });
});
