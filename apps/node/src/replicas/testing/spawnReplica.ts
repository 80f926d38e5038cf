import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Deployment } from "@tributary/chain";

const child = fileURLToPath(new URL("./replicaChild.ts", import.meta.url));

/** Options of {@link spawnReplica}. */
export type SpawnReplicaParameters = {
  dataDir: string;
  databaseUrl: string;
  rpcUrl: string;
  deployment: Deployment;
  /** Anvil account of the node key (every replica of one node uses the same). */
  accountIndex: number;
  leaderRetryMs?: number;
  /** Extra environment (e.g. `TRIBUTARY_FAILPOINT`). */
  env?: Record<string, string>;
};

/** A replica running in a child process. */
export type Replica = {
  url: string;
  proc: ChildProcess;
  /** Resolves when the process exits, with its stderr. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Readiness of the replica (`GET /health/ready`): which leaderships it holds. */
  leadership(): Promise<{ indexerLeader: boolean; epochLeader: boolean }>;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
};

/**
 * Starts `replicaChild.ts` in a child process and resolves once it listens (60 s at most).
 *
 * @example
 * const a = await spawnReplica({ dataDir, databaseUrl, rpcUrl, deployment, accountIndex: 3 });
 */
export async function spawnReplica(params: SpawnReplicaParameters): Promise<Replica> {
  const { env, ...config } = params;
  const proc = spawn(process.execPath, ["--import", "tsx", child], {
    env: { ...process.env, ...env, TRIBUTARY_TEST_CONFIG: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr?.on("data", (d) => {
    stderr += String(d);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => proc.on("exit", (code, signal) => resolve({ code, signal, stderr })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`replica did not start in 60 s: ${stderr}`)), 60_000);
    proc.stdout?.on("data", (d) => {
      out += String(d);
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    void exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`replica exited before listening (${e.code ?? e.signal}): ${e.stderr}`));
    });
  });
  return {
    url,
    proc,
    exited,
    async leadership() {
      const res = await fetch(`${url}/health/ready`);
      const body = (await res.json()) as {
        checks: { replica?: { indexerLeader: boolean; epochLeader: boolean } };
      };
      const replica = body.checks.replica;
      return { indexerLeader: replica?.indexerLeader ?? false, epochLeader: replica?.epochLeader ?? false };
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      await exited;
    },
  };
}
