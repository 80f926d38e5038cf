import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startAnvil } from "./startAnvil.ts";

async function chainId(rpcUrl: string): Promise<number | undefined> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(1000),
    });
    return Number.parseInt(((await res.json()) as { result: string }).result, 16);
  } catch {
    return undefined;
  }
}

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("startAnvil", () => {
  it("starts the real anvil on a free loopback port with the requested chain id, and stops it", async () => {
    const anvil = await startAnvil({ chainId: 1612 });
    expect(anvil.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await chainId(anvil.rpcUrl)).toBe(1612);
    await anvil.stop();
    expect(await waitUntil(async () => (await chainId(anvil.rpcUrl)) === undefined, 5000)).toBe(true);
    await anvil.stop(); // idempotent
  });

  it("runs two chains side by side on different ports", async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil()]);
    try {
      expect(a!.port).not.toBe(b!.port);
      expect(await chainId(a!.rpcUrl)).toBe(31337);
      expect(await chainId(b!.rpcUrl)).toBe(31337);
    } finally {
      await Promise.all([a!.stop(), b!.stop()]);
    }
  });

  it("fails with a clear error when the port is taken", async () => {
    const a = await startAnvil();
    try {
      await expect(startAnvil({ port: a.port, timeoutMs: 3000 })).rejects.toThrow(
        /port \d+ on 127\.0\.0\.1 is already in use/,
      );
    } finally {
      await a.stop();
    }
  });

  it("leaves no orphan when the owning process is killed with SIGKILL", async () => {
    const script = fileURLToPath(new URL("./testdata/holdAnvil.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(child.stdout!, "data")) as [Buffer];
    const { rpcUrl, pid } = JSON.parse(line.toString()) as { rpcUrl: string; pid: number };
    expect(await chainId(rpcUrl)).toBe(31337);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(await waitUntil(async () => (await chainId(rpcUrl)) === undefined && !alive(pid), 5000)).toBe(
      true,
    );
  });
});

describe("startAnvil exit hooks", () => {
  it("leaves no orphan when the owning process exits on its own (exit hook, no stop())", async () => {
    const script = fileURLToPath(new URL("./testdata/holdAnvil.ts", import.meta.url));
    const child = spawn(process.execPath, ["--import", "tsx", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const [line] = (await once(child.stdout!, "data")) as [Buffer];
    const { rpcUrl } = JSON.parse(line.toString()) as { rpcUrl: string };
    expect(await chainId(rpcUrl)).toBe(31337);
    child.kill("SIGTERM");
    await once(child, "exit");
    expect(await waitUntil(async () => (await chainId(rpcUrl)) === undefined, 5000)).toBe(true);
  });
});
