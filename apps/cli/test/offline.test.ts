import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decryptKeystore } from "@tributary/chain";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { formatAmount, parseAmount } from "../src/amounts.ts";
import { resolveConfig } from "../src/config.ts";
import { createProgram } from "../src/program.ts";
import { runCli } from "./runCli.ts";

const cli = runCli;

function leaves(cmd: Command, path: string[] = []): string[][] {
  const here = cmd.name() === "tributary" ? [] : [...path, cmd.name()];
  const subs = cmd.commands.filter((c) => c.name() !== "help");
  return [here, ...subs.flatMap((c) => leaves(c, here))];
}

describe("tributary CLI without a network", () => {
  it("has a description and --help for every command", () => {
    const program = createProgram();
    const all = leaves(program);
    expect(all.map((p) => p.join(" "))).toEqual(
      expect.arrayContaining([
        "up",
        "deploy",
        "datanet create",
        "datanet list",
        "datanet show",
        "datanet contribute",
        "datanet review",
        "datanet publish",
        "datanet export",
        "model register",
        "model list",
        "agent register",
        "agent list",
        "infer",
        "epoch close",
        "epoch list",
        "epoch verify",
        "earnings",
        "claim",
        "deposit",
        "withdraw",
        "keys create",
        "keys list",
        "keys revoke",
        "account new",
        "account import",
        "account list",
      ]),
    );
    for (const path of all) {
      let cmd: Command = program;
      for (const name of path) cmd = cmd.commands.find((c) => c.name() === name)!;
      const help = cmd.helpInformation();
      expect(help, path.join(" ")).toMatch(/^Usage: tributary/);
      if (path.length) expect(cmd.description().length, path.join(" ")).toBeGreaterThan(10);
    }
  });

  it("prints --help with exit code 0 and refuses unknown commands with exit code 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-help-"));
    const [top, contribute, unknown] = await Promise.all([
      cli(dir, ["--help"]),
      cli(dir, ["datanet", "contribute", "--help"]),
      cli(dir, ["frobnicate"]),
    ]);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/Commands:[\s\S]*datanet[\s\S]*infer/);
    expect(contribute.code).toBe(0);
    expect(contribute.stdout).toMatch(/Usage: tributary datanet contribute \[options\] <id> <files\.\.\.>/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it("parses decimal token amounts exactly (no floats) and formats them back", () => {
    expect(parseAmount("12.5")).toBe(12_500_000_000_000_000_000n);
    expect(parseAmount("0.000000000000000001")).toBe(1n);
    expect(parseAmount("100")).toBe(100n * 10n ** 18n);
    expect(parseAmount(".5")).toBe(5n * 10n ** 17n);
    expect(parseAmount("123456789012345678901234567890.123456789012345678")).toBe(
      123456789012345678901234567890123456789012345678n,
    );
    for (const bad of ["", ".", "-1", "1e18", "1,5", "0x10", " 1 2", "1.0000000000000000001"])
      expect(() => parseAmount(bad), bad).toThrow(/decimal amount|decimals/);
    const TRIB = { symbol: "TRIB", decimals: 18 };
    expect(formatAmount(12_500_000_000_000_000_000n, TRIB)).toBe("12.5 TRIB");
    expect(formatAmount(1n, TRIB)).toBe("0.000000000000000001 TRIB");
    expect(formatAmount(0n, TRIB)).toBe("0 TRIB");
    expect(formatAmount(parseAmount("0.1"), TRIB)).toBe("0.1 TRIB");
    expect(formatAmount(parseAmount("1234.5"), TRIB)).toBe("1,234.5 TRIB");
    expect(formatAmount(parseAmount("1.5", 6), { symbol: "USDC", decimals: 6 })).toBe("1.5 USDC");
  });

  it("merges flags > environment > config file > the local network of `up`, validated", () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-config-"));
    const data = join(dir, "data");
    mkdirSync(join(data, "node"), { recursive: true });
    writeFileSync(
      join(data, "network.json"),
      JSON.stringify({ rpcUrl: "http://127.0.0.1:1111", chainId: 31337, nodeUrl: "http://127.0.0.1:2222" }),
    );
    writeFileSync(join(data, "node", "operator-token"), "tok\n");
    const file = join(dir, "tributary.config.json");
    writeFileSync(file, JSON.stringify({ dataDir: "data", nodeUrl: "http://file:3333", chainId: 1612 }));

    const fromFile = resolveConfig({ config: file }, {});
    expect(fromFile).toMatchObject({
      nodeUrl: "http://file:3333",
      rpcUrl: "http://127.0.0.1:1111",
      chainId: 1612,
    });
    expect(fromFile.sources).toMatchObject({ nodeUrl: "file", rpcUrl: "local network", chainId: "file" });
    expect(fromFile.operatorToken).toBeUndefined(); // the local token only goes to the local node

    const env = {
      TRIBUTARY_NODE_URL: "http://env:4444",
      TRIBUTARY_CHAIN_ID: "10",
      TRIBUTARY_OPERATOR_TOKEN: "e",
    };
    const fromEnv = resolveConfig({ config: file }, env);
    expect(fromEnv).toMatchObject({ nodeUrl: "http://env:4444", chainId: 10, operatorToken: "e" });
    const fromFlags = resolveConfig({ config: file, nodeUrl: "http://flag:5555/", chainId: "7" }, env);
    expect(fromFlags).toMatchObject({ nodeUrl: "http://flag:5555", chainId: 7 });

    const local = resolveConfig({ dataDir: data }, {});
    expect(local).toMatchObject({ nodeUrl: "http://127.0.0.1:2222", chainId: 31337, operatorToken: "tok" });

    writeFileSync(file, JSON.stringify({ nodeUrl: "not a url", rpcURL: "x" }));
    expect(() => resolveConfig({ config: file }, {})).toThrow(/nodeUrl: must be a URL/);
    writeFileSync(file, JSON.stringify({ rpcURL: "http://x" }));
    expect(() => resolveConfig({ config: file }, {})).toThrow(/rpcURL/);
    expect(() => resolveConfig({ nodeUrl: "localhost" }, {})).toThrow(/--node-url must be a URL/);
    expect(() => resolveConfig({ config: join(dir, "missing.json") }, {})).toThrow(/does not exist/);
  });

  it("account new/import/list write Web3 Secret Storage v3 files that decrypt back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-account-"));
    const key = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    const env = { TRIBUTARY_KEYSTORE_PASSWORD: "correct horse" };
    const [created, imported, noPassword] = await Promise.all([
      cli(dir, ["account", "new", "--scrypt-n", "1024", "--json"], env),
      cli(dir, ["account", "import", "--scrypt-n", "1024", "--json"], { ...env, TRIBUTARY_PRIVATE_KEY: key }),
      cli(dir, ["account", "new", "--scrypt-n", "1024"]),
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(imported.code, imported.stderr).toBe(0);
    const a = JSON.parse(imported.stdout) as { address: string; path: string };
    expect(a.address).toBe("0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
    expect(decryptKeystore(readFileSync(a.path, "utf8"), "correct horse")).toBe(key);
    expect(noPassword.code).toBe(1);
    expect(noPassword.stderr).toMatch(/no keystore password\nhint: Set TRIBUTARY_KEYSTORE_PASSWORD/);
    const list = await cli(dir, ["account", "list", "--json"]);
    const items = (JSON.parse(list.stdout) as { items: { address: string }[] }).items.map((i) => i.address);
    expect(items.sort()).toEqual([JSON.parse(created.stdout).address, a.address].sort());
    // The keystore signs: `deposit` reads it through TRIBUTARY_KEYSTORE (and fails later, on the missing network).
    const viaKeystore = await cli(dir, ["deposit", "1"], {
      TRIBUTARY_KEYSTORE: a.path,
      TRIBUTARY_KEYSTORE_PASSWORD: "wrong",
    });
    expect(viaKeystore.code).toBe(1);
    expect(viaKeystore.stderr).toMatch(/no RPC URL configured|wrong password/);
  });
});
