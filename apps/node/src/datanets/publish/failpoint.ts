/** The steps of a publication at which a crash test can kill the process. */
export type PublishFailpoint =
  | "after-index"
  | "after-manifest"
  | "after-db"
  | "after-broadcast"
  | "after-receipt";

/**
 * Kills the process with SIGKILL (no cleanup, no flushing, exactly like a power cut) when the environment
 * variable `TRIBUTARY_FAILPOINT` equals `name`; does nothing otherwise. Crash tests run the node in a child
 * process with the variable set, then restart it on the same data directory and check that recovery makes store,
 * database and chain agree.
 *
 * @example
 * failpoint("after-broadcast"); // dies here when TRIBUTARY_FAILPOINT=after-broadcast
 */
export function failpoint(name: PublishFailpoint): void {
  if (process.env.TRIBUTARY_FAILPOINT !== name) return;
  process.kill(process.pid, "SIGKILL");
  // The signal is delivered asynchronously: block this thread so not one more step runs before it lands.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
