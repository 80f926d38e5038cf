import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type Anvil, startAnvil } from "@tributary/chain";
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const bin = fileURLToPath(new URL("../bin/tributary.mjs", import.meta.url));
// anvil's first test key: public, local chains only.
const KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

describe("tributary deploy", () => {
  let anvil: Anvil;
  beforeAll(async () => {
    anvil = await startAnvil({ chainId: 1612 });
  });
  afterAll(() => anvil?.stop());

  it("deploys every contract to an RPC and writes deployments/<chainId>.json", async () => {
    const out = mkdtempSync(join(tmpdir(), "deploy-"));
    const { stdout } = await run(
      process.execPath,
      [bin, "deploy", "--rpc-url", anvil.rpcUrl, "--quorum", "1", "--out", out, "--json"],
      { env: { ...process.env, TRIBUTARY_PRIVATE_KEY: KEY } },
    );
    const printed = JSON.parse(stdout) as { chainId: number; contracts: Record<string, `0x${string}`> };
    const written = JSON.parse(readFileSync(join(out, "1612.json"), "utf8")) as typeof printed;
    expect(written).toEqual(printed);
    expect(written.chainId).toBe(1612);
    const client = createPublicClient({ transport: http(anvil.rpcUrl) });
    for (const name of ["token", "datanetRegistry", "modelRegistry", "agentRegistry", "settlement"]) {
      const code = await client.getCode({ address: written.contracts[name]! });
      expect(code?.length, name).toBeGreaterThan(2);
    }
  });

  it("refuses to start without a key and says which variables to set", async () => {
    const env = { ...process.env };
    delete env.TRIBUTARY_PRIVATE_KEY;
    delete env.TRIBUTARY_KEYSTORE;
    const failed = await run(process.execPath, [bin, "deploy", "--rpc-url", anvil.rpcUrl], { env }).catch(
      (e) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/TRIBUTARY_PRIVATE_KEY.*TRIBUTARY_KEYSTORE/);
  });

  it("rejects a malformed address flag before sending anything", async () => {
    const failed = await run(
      process.execPath,
      [bin, "deploy", "--rpc-url", anvil.rpcUrl, "--treasury", "0x123"],
      {
        env: { ...process.env, TRIBUTARY_PRIVATE_KEY: KEY },
      },
    ).catch((e) => e);
    expect(failed.code).toBe(2); // a usage error
    expect(failed.stderr).toMatch(/--treasury must be an address/);
    const nonce = await createPublicClient({ transport: http(anvil.rpcUrl) }).getTransactionCount({
      address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    });
    expect(nonce).toBe(5); // only the five deployments of the first test
  });

  it("has --help for every command", async () => {
    for (const cmd of [[], ["up"], ["deploy"]]) {
      const { stdout } = await run(process.execPath, [bin, ...cmd, "--help"]);
      expect(stdout).toMatch(/Usage: tributary/);
    }
  });
});
