import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

/** Options of {@link startAnvil}. */
export type StartAnvilParameters = {
  /** Loopback port; a free one is picked when omitted. */
  port?: number;
  chainId?: number;
  /** Seconds between blocks; by default a block is mined per transaction. */
  blockTime?: number;
  /** Folder to persist chain state into (`--state`), so a restart keeps the chain. */
  statePath?: string;
  /** Any other anvil flags. */
  extraArgs?: string[];
  /** How long to wait for the first answer. */
  timeoutMs?: number;
};

/** A running anvil. `stop()` is idempotent and waits for the process to end. */
export type Anvil = {
  rpcUrl: string;
  port: number;
  chainId: number;
  pid: number;
  stop(): Promise<void>;
};

/** The real anvil binary shipped by `@foundry-rs/anvil` for this platform. */
export function anvilBinaryPath(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch;
  const platform = process.platform;
  const pkg = `@foundry-rs/anvil-${platform}-${arch}`;
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${pkg}/package.json`);
  } catch (cause) {
    throw new Error(
      `anvil binary package ${pkg} is not installed. Run \`npm ci\` (it ships with @foundry-rs/anvil).`,
      { cause },
    );
  }
  return join(dirname(pkgJson), "bin", platform === "win32" ? "anvil.exe" : "anvil");
}

/** Whether nothing listens on `port` of 127.0.0.1 right now. */
export async function isPortFree(port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

/** Asks the kernel for a free loopback port. */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();

/** Signals the child's whole process group (the watchdog shell and anvil). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const killAll = () => {
    for (const child of running) killGroup(child, "SIGKILL");
  };
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      // An application that handles the signal itself (tributary up, tributary node) stops anvil gracefully, so
      // the chain state is saved; re-raising here would kill it before it has.
      if (process.listenerCount(signal) > 0) return;
      killAll();
      process.kill(process.pid, signal);
    });
  }
}

/**
 * Starts anvil on 127.0.0.1, waits until it answers JSON-RPC, and makes sure it never outlives us.
 *
 * Orphans are prevented twice: exit and signal hooks kill it when this process ends normally, and a
 * small shell watchdog holds a pipe from us and kills anvil when the pipe closes, which also covers a
 * SIGKILL of this process (no hook runs then).
 *
 * @example
 * const anvil = await startAnvil();
 * try { ... anvil.rpcUrl ... } finally { await anvil.stop(); }
 */
export async function startAnvil(params: StartAnvilParameters = {}): Promise<Anvil> {
  const chainId = params.chainId ?? 31337;
  const binary = anvilBinaryPath();
  for (let attempt = 0; ; attempt++) {
    const port = params.port ?? (await freePort());
    // Another server on the port would answer our readiness probe in anvil's place: refuse it first.
    if (!(await isPortFree(port))) {
      throw new Error(
        `anvil cannot start: port ${port} on 127.0.0.1 is already in use. Stop what listens there or choose another port.`,
      );
    }
    const args = ["--host", "127.0.0.1", "--port", String(port), "--chain-id", String(chainId), "--silent"];
    if (params.blockTime !== undefined) args.push("--block-time", String(params.blockTime));
    if (params.statePath !== undefined) args.push("--state", params.statePath);
    args.push(...(params.extraArgs ?? []));
    // The watchdog: anvil runs in the background of a shell that waits on our pipe; EOF means we are gone.
    const script =
      '"$0" "$@" </dev/null & p=$!; trap "kill $p 2>/dev/null; exit 0" TERM INT; read -r _; kill $p 2>/dev/null; wait $p';
    // Its own process group, so one signal reaches both the watchdog shell and anvil: killing only the
    // shell with SIGKILL would leave anvil running.
    const child = spawn("/bin/sh", ["-c", script, binary, ...args], {
      stdio: ["pipe", "ignore", "pipe"],
      detached: true,
    });
    installExitHooks();
    running.add(child);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    const rpcUrl = `http://127.0.0.1:${port}`;
    const stop = async () => {
      if (!running.has(child)) return;
      running.delete(child);
      child.stdin?.end();
      killGroup(child, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    };
    const ready = await waitForRpc(rpcUrl, params.timeoutMs ?? 20_000, exited);
    if (ready) return { rpcUrl, port, chainId, pid: child.pid ?? -1, stop };
    await stop();
    // A port race with another process is the usual cause: try another port, then give up clearly.
    if (params.port !== undefined || attempt >= 2) {
      throw new Error(
        `anvil did not start on ${rpcUrl}${stderr ? `: ${stderr.trim()}` : ""}. Check that the port is free and \`npm ci\` installed @foundry-rs/anvil.`,
      );
    }
  }
}

async function waitForRpc(rpcUrl: string, timeoutMs: number, exited: Promise<void>): Promise<boolean> {
  let dead = false;
  void exited.then(() => {
    dead = true;
  });
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !dead) {
    try {
      const res = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
