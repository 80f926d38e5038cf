import { type ChildProcess, spawn } from "node:child_process";
import { lstatSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../bin/tributary.mjs", import.meta.url));

describe("tributary up (human log): failed requests print their error code, message and request id", () => {
  let proc: ChildProcess | undefined;
  let stderr = "";
  let nodeUrl = "";
  let dataDir = "";

  beforeAll(async () => {
    const cwd = mkdtempSync(join(tmpdir(), "tributary-uplog-"));
    dataDir = join(cwd, ".tributary");
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith("TRIBUTARY_")),
    ) as Record<string, string>;
    proc = spawn(
      process.execPath,
      [bin, "up", "--port", "0", "--http-port", "0", "--json", "--no-demo", "--data-dir", dataDir],
      { cwd, env: { ...env, NO_COLOR: "1" }, stdio: ["ignore", "pipe", "pipe"] },
    );
    proc.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    nodeUrl = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`up did not get ready:\n${stderr}`)), 110_000);
      proc!.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const line = out.split("\n").find((l) => l.startsWith("{"));
        if (line && out.includes("\n")) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { nodeUrl: string }).nodeUrl);
        }
      });
      proc!.once("exit", (code) => reject(new Error(`up exited with ${code}:\n${stderr}`)));
    });
  }, 120_000);
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc!.once("exit", r));
      proc.kill("SIGINT");
      await exited;
    }
  });

  it("prints method, path, status, code, message and request id for 4xx answers", async () => {
    const refused = await fetch(`${nodeUrl}/v1/epochs/close`, {
      method: "POST",
      headers: { "x-request-id": "uplog-401", "content-type": "application/json" },
      body: "{}",
    });
    expect(refused.status).toBe(401);
    const bad = await fetch(`${nodeUrl}/v1/claims`, {
      method: "POST",
      headers: { "x-request-id": "uplog-400", "content-type": "application/json" },
      body: JSON.stringify({ accounts: [] }),
    });
    expect(bad.status).toBe(400);
    const badCode = ((await bad.json()) as { error: { code: string } }).error.code;
    const deadline = Date.now() + 5000;
    while (!stderr.includes("uplog-400") && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toMatch(
      /node: POST \/v1\/epochs\/close → 401 OPERATOR_TOKEN_REQUIRED: POST \/v1\/epochs\/close is an operator route and the request has no Authorization header \(request id uplog-401\)/,
    );
    expect(stderr).toContain(`node: POST /v1/claims → 400 ${badCode}: `);
    expect(stderr).toMatch(/\(request id uplog-400\)/);
  });

  it("keeps the node's files private (umask 077): folders 0700, files 0600 or stricter", () => {
    const nodeDir = join(dataDir, "node");
    for (const name of ["operator-token", "node.db", "secrets.key"]) {
      expect(lstatSync(join(nodeDir, name)).mode & 0o077, name).toBe(0);
    }
    expect(lstatSync(nodeDir).mode & 0o777).toBe(0o700);
    expect(lstatSync(dataDir).mode & 0o777).toBe(0o700);
  });
});
