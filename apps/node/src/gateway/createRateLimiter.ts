/** Result of {@link RateLimiter.take}: allowed, or refused with the seconds until a request is allowed. */
export type RateLimitDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Token buckets by key. */
export type RateLimiter = {
  /** Takes one token from `key`'s bucket of `perMinute` tokens (refilled continuously); 0 = unlimited. */
  take(key: string, perMinute: number): RateLimitDecision;
  /** Forgets a key's bucket (after a revocation or a limit change). */
  reset(key: string): void;
};

/**
 * Token-bucket rate limiter: each key has a bucket of `perMinute` tokens, refilled at `perMinute / 60` per
 * second, so a key may burst up to its per-minute limit and then runs at that rate. In memory (per node
 * process); buckets idle long enough to be full again are dropped.
 *
 * @example
 * const limiter = createRateLimiter();
 * if (!limiter.take(keyId, 600).ok) // answer 429
 */
export function createRateLimiter(now: () => number = () => performance.now()): RateLimiter {
  const buckets = new Map<string, { tokens: number; at: number; perMinute: number }>();
  let sweepAt = now();
  const sweep = (t: number) => {
    if (t - sweepAt < 60_000) return;
    sweepAt = t;
    for (const [k, b] of buckets) if (t - b.at >= 60_000) buckets.delete(k);
  };
  return {
    take(key, perMinute) {
      if (perMinute <= 0) return { ok: true };
      const t = now();
      sweep(t);
      let b = buckets.get(key);
      if (!b || b.perMinute !== perMinute) {
        b = { tokens: perMinute, at: t, perMinute };
        buckets.set(key, b);
      } else {
        b.tokens = Math.min(perMinute, b.tokens + ((t - b.at) * perMinute) / 60_000);
        b.at = t;
      }
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(((1 - b.tokens) * 60) / perMinute)) };
    },
    reset(key) {
      buckets.delete(key);
    },
  };
}
