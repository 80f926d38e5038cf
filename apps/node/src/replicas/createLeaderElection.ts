import pg from "pg";
import { type LeaderRole, LOCK_CLASS, LOCKS } from "./advisoryLocks.ts";

/** A replica's standing in one election. */
export type Leadership = {
  /** Whether this replica holds the lock now. */
  isLeader(): boolean;
  /** Adds a listener called each time this replica becomes the leader (after the options' `onElected`). */
  whenElected(listener: () => void): void;
  /** Gives up the lock (closing its session) and stops retrying. */
  stop(): Promise<void>;
};

/** Options of {@link createLeaderElection}. */
export type CreateLeaderElectionParameters = {
  /** The PostgreSQL URL the replicas share. */
  url: string;
  role: LeaderRole;
  /** How often a follower tries to take the lock and a leader checks its session (default 2 s). */
  retryMs?: number;
  /** Called when this replica becomes the leader. */
  onElected?: () => void;
  /** Called when it stops being the leader (its session failed). */
  onDeposed?: () => void;
  /** Log lines (elected, deposed, session errors). */
  log?: (level: "info" | "warn", message: string) => void;
};

/**
 * Leader election over a PostgreSQL session advisory lock (`pg_try_advisory_lock`), held on a dedicated
 * connection (never one of the pool's, which are shared and recycled). A follower tries every `retryMs`; the
 * lock is released by PostgreSQL as soon as the leader's session ends (the process exits or is killed: its
 * socket closes), so a follower takes over within about `retryMs`. A leader pings its session every `retryMs`
 * and steps down when the ping fails (it may have lost the lock).
 *
 * @example
 * const epochs = createLeaderElection({ url, role: "epochs", onElected: () => void service.resume() });
 * if (epochs.isLeader()) await service.tick();
 */
export function createLeaderElection(params: CreateLeaderElectionParameters): Leadership {
  const retryMs = params.retryMs ?? 2000;
  const key = params.role === "indexer" ? LOCKS.indexerLeader : LOCKS.epochLeader;
  let client: pg.Client | undefined;
  let leader = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let busy: Promise<void> | undefined;
  const listeners: (() => void)[] = [];

  const depose = (reason: string) => {
    const had = leader;
    leader = false;
    const c = client;
    client = undefined;
    c?.end().catch(() => {});
    if (had) {
      params.log?.("warn", `${params.role} leader: lost the lock (${reason})`);
      params.onDeposed?.();
    }
  };

  const connect = async (): Promise<pg.Client> => {
    const c = new pg.Client({
      connectionString: params.url,
      application_name: `tributary-leader-${params.role}`,
      keepAlive: true,
      connectionTimeoutMillis: 5000,
      statement_timeout: 5000,
    });
    c.on("error", (error) => depose(error.message));
    c.on("end", () => {
      if (client === c) depose("session ended");
    });
    await c.connect();
    return c;
  };

  const round = async () => {
    try {
      if (!client) client = await connect();
      if (leader) {
        await client.query("select 1");
        return;
      }
      const { rows } = await client.query<{ ok: boolean }>(
        "select pg_try_advisory_lock($1::int, $2::int) as ok",
        [LOCK_CLASS, key],
      );
      if (rows[0]?.ok && !stopped) {
        leader = true;
        params.log?.("info", `${params.role} leader: elected`);
        params.onElected?.();
        for (const listener of listeners) listener();
      }
    } catch (error) {
      depose((error as Error).message);
    }
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      busy = round().finally(() => {
        busy = undefined;
        schedule(retryMs);
      });
    }, delay);
    timer.unref();
  };
  schedule(0);

  return {
    isLeader: () => leader,
    whenElected: (listener) => {
      listeners.push(listener);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await busy;
      const c = client;
      client = undefined;
      leader = false;
      await c?.end().catch(() => {});
    },
  };
}
