/** Runs `run` after every earlier call with the same key has settled (a per-key queue). */
export type KeyedLock = <T>(key: string, run: () => Promise<T>) => Promise<T>;

/**
 * Creates a per-key lock: calls with the same key run one after the other, in call order.
 *
 * @example
 * const withLock = createKeyedLock();
 * await withLock(payer, async () => { ... });
 */
export function createKeyedLock(): KeyedLock {
  const locks = new Map<string, Promise<void>>();
  return <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const result = (locks.get(key) ?? Promise.resolve()).then(run);
    const tail = result.then(
      () => {},
      () => {},
    );
    locks.set(key, tail);
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key);
    });
    return result;
  };
}
