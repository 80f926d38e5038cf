import { ApiError } from "../../api/ApiError.ts";

/** Budget and behaviour of a {@link createContextPool}. */
export type ContextPoolOptions<R> = {
  /** Most resources alive at once, over every key (the LRU budget). */
  maxResources: number;
  /** Most resources of one key (a small pool per adapter). */
  maxPerKey: number;
  /** Most bytes the resources may cost together (`costOf`); absent = no memory budget. */
  maxBytes?: number;
  /** Most requests waiting; one more is refused at once with 503 `LLAMA_SATURATED`. */
  maxWaiting: number;
  /** How long a request waits for a resource before 503 `LLAMA_SATURATED`. */
  timeoutMs: number;
  /** Creates a resource for `key` (a context with its adapter). */
  create: (key: string) => Promise<R>;
  /** Frees an evicted resource. */
  dispose: (resource: R) => Promise<void>;
  /** Bytes a resource of `key` costs (llama's estimate of a context); 0 when absent. */
  costOf?: (key: string) => number;
  /** Told when an idle resource is evicted (for logs and metrics). */
  onEvict?: (key: string) => void;
};

/** A resource lent to one request; `release` gives it back (exactly once). */
export type Lease<R> = {
  resource: R;
  key: string;
  /** True when the resource was created for this request (a cold load), false when a warm one was reused. */
  cold: boolean;
  /** Time spent waiting for the resource, creation included, in ms. */
  waitedMs: number;
  release(): void;
  /** Releases and disposes the resource (it is in an unknown state, e.g. a failed evaluation). */
  discard(): void;
};

/** Counters of a pool. */
export type ContextPoolStats = {
  /** Resources alive (idle or lent) and being created. */
  resources: number;
  busy: number;
  creating: number;
  waiting: number;
  /** Bytes the alive resources cost. */
  bytes: number;
  created: number;
  reused: number;
  evicted: number;
  /** Requests refused: queue full or timed out. */
  refused: number;
  /** Alive resources per key. */
  perKey: Record<string, number>;
};

/** An LRU pool of resources keyed by adapter, shared by every key under one budget. */
export type ContextPool<R> = {
  /**
   * Lends a resource of `key`: a warm idle one, else a new one (evicting the least recently used idle resource of
   * any key when the budget is full), else waits its turn (first come, first served) up to `timeoutMs`.
   * 503 `LLAMA_SATURATED` when the queue is full or the wait times out; rejects with the signal's reason when it
   * aborts (the client left).
   */
  acquire(key: string, signal?: AbortSignal): Promise<Lease<R>>;
  stats(): ContextPoolStats;
  /** Disposes every idle resource and refuses the waiting requests (shutdown). */
  close(): Promise<void>;
};

type Entry<R> = { key: string; resource: R; busy: boolean; lastUsed: number; cost: number };
type Waiter<R> = {
  key: string;
  since: number;
  resolve: (lease: Lease<R>) => void;
  reject: (error: unknown) => void;
  done: boolean;
  cleanup: () => void;
};

const saturated = (message: string, timeoutMs: number) =>
  new ApiError(
    503,
    "LLAMA_SATURATED",
    message,
    `Every local model context is busy. Retry in a few seconds, or ask the node operator to raise llama.maxContexts (or the wait, llama.queueTimeoutMs = ${timeoutMs}). Nothing was charged.`,
    { headers: { "Retry-After": "2" } },
  );

/**
 * Creates the pool of llama contexts (generic over the resource, so its rules read on their own): LRU eviction
 * across keys under `maxResources` (and `maxBytes`), at most `maxPerKey` per key, a warm idle resource reused
 * first, and a fair FIFO queue with a timeout when nothing can be lent. A request never waits behind an idle
 * resource: whenever one is released, the queue is served in order first.
 *
 * @example
 * const pool = createContextPool({ maxResources: 8, maxPerKey: 2, maxWaiting: 64, timeoutMs: 30_000, create, dispose });
 * const lease = await pool.acquire(adapterKey, signal);
 * try { ... } finally { lease.release(); }
 */
export function createContextPool<R>(options: ContextPoolOptions<R>): ContextPool<R> {
  const entries: Entry<R>[] = [];
  const waiters: Waiter<R>[] = [];
  const creatingByKey = new Map<string, number>();
  let creating = 0;
  let creatingCost = 0;
  let closed = false;
  const counters = { created: 0, reused: 0, evicted: 0, refused: 0 };
  const costOf = (key: string) => options.costOf?.(key) ?? 0;
  const countOf = (key: string) =>
    entries.filter((e) => e.key === key).length + (creatingByKey.get(key) ?? 0);
  const bytes = () => entries.reduce((sum, e) => sum + e.cost, 0) + creatingCost;
  const fits = (cost: number, freed: number) =>
    entries.length + creating < options.maxResources + freed &&
    (options.maxBytes === undefined || bytes() + cost <= options.maxBytes + freedBytes(freed));
  // Bytes that evicting `freed` LRU idle entries would give back (0 or 1 entry in practice).
  const freedBytes = (freed: number) =>
    idleByAge()
      .slice(0, freed)
      .reduce((s, e) => s + e.cost, 0);
  const idleByAge = () => entries.filter((e) => !e.busy).sort((a, b) => a.lastUsed - b.lastUsed);

  function lend(entry: Entry<R>, cold: boolean, since: number): Lease<R> {
    entry.busy = true;
    let returned = false;
    const back = (discard: boolean) => {
      if (returned) return;
      returned = true;
      entry.busy = false;
      entry.lastUsed = performance.now();
      if (discard) {
        entries.splice(entries.indexOf(entry), 1);
        void options.dispose(entry.resource).catch(() => {});
      }
      pump();
    };
    return {
      resource: entry.resource,
      key: entry.key,
      cold,
      waitedMs: performance.now() - since,
      release: () => back(false),
      discard: () => back(true),
    };
  }

  function evictOne(): boolean {
    const victim = idleByAge()[0];
    if (!victim) return false;
    entries.splice(entries.indexOf(victim), 1);
    counters.evicted++;
    options.onEvict?.(victim.key);
    void options.dispose(victim.resource).catch(() => {});
    return true;
  }

  function startCreate(
    key: string,
    since: number,
    done: (lease: Lease<R>) => void,
    fail: (e: unknown) => void,
  ) {
    const cost = costOf(key);
    creating++;
    creatingCost += cost;
    creatingByKey.set(key, (creatingByKey.get(key) ?? 0) + 1);
    options.create(key).then(
      (resource) => {
        creating--;
        creatingCost -= cost;
        creatingByKey.set(key, (creatingByKey.get(key) ?? 1) - 1);
        counters.created++;
        const entry: Entry<R> = { key, resource, busy: false, lastUsed: performance.now(), cost };
        entries.push(entry);
        done(lend(entry, true, since));
      },
      (error: unknown) => {
        creating--;
        creatingCost -= cost;
        creatingByKey.set(key, (creatingByKey.get(key) ?? 1) - 1);
        fail(error);
        pump();
      },
    );
  }

  /** Serves `key` now if it can: warm, new, or new after evicting the LRU idle resource. */
  function tryServe(
    key: string,
    since: number,
    done: (lease: Lease<R>) => void,
    fail: (e: unknown) => void,
  ): boolean {
    const warm = entries.filter((e) => e.key === key && !e.busy).sort((a, b) => b.lastUsed - a.lastUsed)[0];
    if (warm) {
      counters.reused++;
      done(lend(warm, false, since));
      return true;
    }
    if (countOf(key) >= options.maxPerKey) return false;
    const cost = costOf(key);
    if (fits(cost, 0)) {
      startCreate(key, since, done, fail);
      return true;
    }
    if (fits(cost, 1) && evictOne()) {
      startCreate(key, since, done, fail);
      return true;
    }
    return false;
  }

  function pump(): void {
    for (const w of [...waiters]) {
      if (w.done) continue;
      const served = tryServe(
        w.key,
        w.since,
        (lease) => {
          w.cleanup();
          w.resolve(lease);
        },
        (error) => {
          w.cleanup();
          w.reject(error);
        },
      );
      if (served) {
        w.done = true;
        waiters.splice(waiters.indexOf(w), 1);
      }
    }
  }

  return {
    acquire(key, signal) {
      if (closed)
        return Promise.reject(saturated("the local model runtime is shutting down", options.timeoutMs));
      signal?.throwIfAborted();
      const since = performance.now();
      return new Promise<Lease<R>>((resolve, reject) => {
        // Waiting requests go first: a new one is served at once only when nobody waits for its key's turn.
        if (waiters.length === 0 && tryServe(key, since, resolve, reject)) return;
        if (waiters.length >= options.maxWaiting) {
          counters.refused++;
          reject(
            saturated(
              `${waiters.length} requests already wait for a local model context (llama.maxQueue = ${options.maxWaiting})`,
              options.timeoutMs,
            ),
          );
          return;
        }
        const waiter: Waiter<R> = {
          key,
          since,
          resolve,
          reject,
          done: false,
          cleanup: () => {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
          },
        };
        const leave = (error: unknown) => {
          if (waiter.done) return;
          waiter.done = true;
          waiter.cleanup();
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(error);
        };
        const timer = setTimeout(() => {
          counters.refused++;
          leave(
            saturated(
              `no local model context became free within ${options.timeoutMs} ms (${waiters.length} requests waiting)`,
              options.timeoutMs,
            ),
          );
        }, options.timeoutMs);
        const onAbort = () => leave(signal?.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    stats() {
      const perKey: Record<string, number> = {};
      for (const e of entries) perKey[e.key] = (perKey[e.key] ?? 0) + 1;
      return {
        resources: entries.length + creating,
        busy: entries.filter((e) => e.busy).length,
        creating,
        waiting: waiters.length,
        bytes: bytes(),
        ...counters,
        perKey,
      };
    },
    async close() {
      closed = true;
      for (const w of [...waiters]) {
        w.done = true;
        w.cleanup();
        w.reject(saturated("the local model runtime is shutting down", options.timeoutMs));
      }
      waiters.length = 0;
      const idle = entries.filter((e) => !e.busy);
      for (const e of idle) entries.splice(entries.indexOf(e), 1);
      await Promise.all(idle.map((e) => options.dispose(e.resource).catch(() => {})));
    },
  };
}
