import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { writeDeployment } from "@tributary/chain";
import { setupTestChain, type TestChain } from "@tributary/contracts/test/fixture";
import { createTestDatabase } from "@tributary/node/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/tributary.mjs", import.meta.url));
// anvil's public test key of account 3, the fixture's attestor (local test chain only).
const ATTESTOR_KEY = "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6";

describe("tributary node: a production node from config and environment", () => {
  let chain: TestChain;
  let dataDir: string;

  beforeAll(async () => {
    chain = await setupTestChain();
    dataDir = mkdtempSync(join(tmpdir(), "tributary-node-"));
    writeDeployment(join(dataDir, "deployments"), chain.deployment);
  }, 60_000);
  afterAll(async () => {
    await chain?.stop();
  });

  it("serves the API with operator routes behind the token, closes an epoch, stops on SIGINT", async () => {
    const proc = spawn(process.execPath, [bin, "node", "--port", "0", "--json"], {
      env: {
        ...process.env,
        TRIBUTARY_RPC_URL: chain.anvil.rpcUrl,
        TRIBUTARY_DATA_DIR: dataDir,
        TRIBUTARY_PRIVATE_KEY: ATTESTOR_KEY,
        TRIBUTARY_OPERATOR_TOKEN: "s3cret-operator-token",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const first = await new Promise<string>((resolve, reject) => {
      let out = "";
      proc.stdout.on("data", (d) => {
        out += String(d);
        if (out.includes("\n")) resolve(out.split("\n")[0]!);
      });
      proc.on("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    const { url, chainId, account } = JSON.parse(first) as { url: string; chainId: number; account: string };
    expect(chainId).toBe(31337);
    expect(account).toBe(chain.accounts[3]!.address);
    try {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect(await (await fetch(`${url}/v1/epochs`)).json()).toEqual({ items: [], nextCursor: null });
      const refused = await fetch(`${url}/v1/epochs/close`, { method: "POST" });
      expect(refused.status).toBe(401);
      const closed = await fetch(`${url}/v1/epochs/close`, {
        method: "POST",
        headers: { authorization: "Bearer s3cret-operator-token", "content-type": "application/json" },
        body: JSON.stringify({ allowEmpty: true }),
      });
      expect(closed.status, await closed.clone().text()).toBe(201);
      expect(await closed.json()).toMatchObject({ epoch: 1, status: "submitted", receiptCount: 0 });
      const page = await fetch(`${url}/`);
      expect(await page.text()).toContain("<title>Tributary</title>");
    } finally {
      const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
      proc.kill("SIGINT");
      expect(await exited).toBe(0);
    }
  }, 90_000);

  it("refuses to listen beyond loopback without an operator token", async () => {
    const proc = spawn(process.execPath, [bin, "node", "--host", "0.0.0.0", "--port", "0"], {
      env: {
        ...process.env,
        TRIBUTARY_RPC_URL: chain.anvil.rpcUrl,
        TRIBUTARY_DATA_DIR: mkdtempSync(join(tmpdir(), "tn-")),
        TRIBUTARY_PRIVATE_KEY: ATTESTOR_KEY,
        TRIBUTARY_OPERATOR_TOKEN: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise<number | null>((r) => proc.on("exit", (c) => r(c)));
    expect(code).toBe(1);
    expect(stderr).toMatch(/without an operator token/);
    expect(stderr).toMatch(/TRIBUTARY_OPERATOR_TOKEN/);
  }, 60_000);

  it("runs on PostgreSQL from TRIBUTARY_DATABASE_URL (no node.db), leading the indexer and the epoch closer", async () => {
    const pgdb = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), "tn-pg-"));
    writeDeployment(join(dir, "deployments"), chain.deployment);
    const proc = spawn(process.execPath, [bin, "node", "--port", "0", "--json"], {
      env: {
        ...process.env,
        TRIBUTARY_RPC_URL: chain.anvil.rpcUrl,
        TRIBUTARY_DATA_DIR: dir,
        TRIBUTARY_PRIVATE_KEY: ATTESTOR_KEY,
        TRIBUTARY_DATABASE_URL: pgdb.url,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        let out = "";
        proc.stdout.on("data", (d) => {
          out += String(d);
          if (out.includes("\n")) resolve(out.split("\n")[0]!);
        });
        void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
      });
      const { url, database } = JSON.parse(first) as { url: string; database: string };
      expect(database).toBe("postgres");
      const ready = async () =>
        (
          (await (await fetch(`${url}/health/ready`)).json()) as {
            checks: Record<string, Record<string, unknown>>;
          }
        ).checks;
      for (let i = 0; i < 100 && (await ready()).replica?.epochLeader !== true; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await ready()).replica).toMatchObject({ indexerLeader: true, epochLeader: true });
      expect(existsSync(join(dir, "node", "node.db"))).toBe(false);
    } finally {
      proc.kill("SIGINT");
      expect(await exited).toBe(0);
      await pgdb.drop();
    }
  }, 90_000);

  it("refuses a database URL that is not postgres://, naming the flag", async () => {
    const proc = spawn(
      process.execPath,
      [bin, "node", "--port", "0", "--database-url", "mysql://u:pw@h/db"],
      {
        env: {
          ...process.env,
          TRIBUTARY_RPC_URL: chain.anvil.rpcUrl,
          TRIBUTARY_DATA_DIR: mkdtempSync(join(tmpdir(), "tn-")),
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise<number | null>((r) => proc.on("exit", (c) => r(c)));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /--database-url \(or TRIBUTARY_DATABASE_URL\) must be a postgres:\/\/ URL, got "mysql:\/\/u:\*\*\*@h\/db"/,
    );
  }, 60_000);

  it("refuses a llama thread count that is not 1..99, naming the flag", async () => {
    const proc = spawn(process.execPath, [bin, "node", "--port", "0", "--llama-threads", "0"], {
      env: {
        ...process.env,
        TRIBUTARY_RPC_URL: chain.anvil.rpcUrl,
        TRIBUTARY_DATA_DIR: mkdtempSync(join(tmpdir(), "tn-")),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const code = await new Promise<number | null>((r) => proc.on("exit", (c) => r(c)));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /--llama-threads \(or TRIBUTARY_LLAMA_THREADS\) must be a whole number from 1 to 99, got "0"/,
    );
  }, 60_000);
});
