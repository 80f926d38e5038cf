/** A promise-chain mutex: `run` executes one function at a time, in call order. */
export type Mutex = { run<T>(fn: () => Promise<T>): Promise<T> };

/**
 * Creates a mutex for one process (the node is one process per data directory).
 *
 * @example
 * const lock = createMutex();
 * await lock.run(async () => sendTransaction());
 */
export function createMutex(): Mutex {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(fn, fn);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
