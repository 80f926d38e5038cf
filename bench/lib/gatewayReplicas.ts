/**
 * Replica phase of bench/gateway.ts (`--replicas N --db postgres`): the node's replicas as child processes on one
 * PostgreSQL database and one data directory (apps/node/src/replicas/testing/replicaChild.ts), loaded by one
 * autocannon process per replica (connections split evenly, as a round-robin load balancer would), first with 1
 * replica, then 2, … N in the same run. Each step: 5 s warm-up, then `durationSec` measured; req/s is the sum
 * over the replicas of answered requests per second. The receipts stored are counted against the 2xx answers.
 */
import type { Deployment } from "@tributary/chain";
import { createDatabase } from "../../apps/node/src/db/index.ts";
import { type Replica, spawnReplica } from "../../apps/node/src/replicas/testing/spawnReplica.ts";

/** What one autocannon run returned (the fields used here). */
export type LoadResult = {
  requests: { total: number };
  latency: { p50: number; p90: number; p97_5: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
  "2xx"?: number;
};

/** Figures of one step (one replica count). */
export type ReplicaStep = {
  replicas: number;
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  receiptsStored: number;
};

/** Options of {@link benchReplicas}. */
export type BenchReplicasParameters = {
  replicas: number;
  dataDir: string;
  databaseUrl: string;
  rpcUrl: string;
  deployment: Deployment;
  accountIndex: number;
  connections: number;
  durationSec: number;
  /** Load settings without `url`, `connections`, `durationSec`. */
  settings: Record<string, unknown>;
  runLoad(settings: Record<string, unknown>): Promise<Record<string, unknown>>;
};

async function countReceipts(databaseUrl: string): Promise<number> {
  const { db, close } = await createDatabase({ path: "", url: databaseUrl });
  try {
    const row = await db
      .selectFrom("receipts")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  } finally {
    await close();
  }
}

/**
 * Runs 1..N replicas under load and returns one step per replica count.
 *
 * @example
 * const steps = await benchReplicas({ replicas: 2, ... });
 */
export async function benchReplicas(params: BenchReplicasParameters): Promise<ReplicaStep[]> {
  const running: Replica[] = [];
  const steps: ReplicaStep[] = [];
  try {
    for (let n = 1; n <= params.replicas; n++) {
      running.push(
        await spawnReplica({
          dataDir: params.dataDir,
          databaseUrl: params.databaseUrl,
          rpcUrl: params.rpcUrl,
          deployment: params.deployment,
          accountIndex: params.accountIndex,
          leaderRetryMs: 2000,
        }),
      );
      const load = (durationSec: number) =>
        Promise.all(
          running.map(
            (r, i) =>
              params.runLoad({
                ...params.settings,
                url: r.url,
                // Split evenly; the first replicas take the remainder.
                connections:
                  Math.floor(params.connections / running.length) +
                  (i < params.connections % running.length ? 1 : 0),
                durationSec,
              }) as Promise<LoadResult>,
          ),
        );
      console.log(
        `replicas ${n}: warm-up 5 s, then ${params.durationSec} s with ${params.connections} connections ...`,
      );
      await load(5);
      const before = await countReceipts(params.databaseUrl);
      const results = await load(params.durationSec);
      const after = await countReceipts(params.databaseUrl);
      const total = results.reduce((s, r) => s + r.requests.total, 0);
      const non2xx = results.reduce((s, r) => s + r.non2xx, 0);
      const duration = Math.max(...results.map((r) => r.duration));
      const step: ReplicaStep = {
        replicas: n,
        reqPerSec: Math.round(((total - non2xx) / duration) * 10) / 10,
        // The slowest replica's percentiles (each autocannon measures its own replica).
        p50Ms: Math.max(...results.map((r) => r.latency.p50)),
        p99Ms: Math.max(...results.map((r) => r.latency.p99)),
        requests: total,
        non2xx,
        errors: results.reduce((s, r) => s + r.errors + r.timeouts, 0),
        receiptsStored: after - before,
      };
      console.log(JSON.stringify(step));
      steps.push(step);
    }
  } finally {
    for (const r of running) await r.stop();
  }
  return steps;
}
