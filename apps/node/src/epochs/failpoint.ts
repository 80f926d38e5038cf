/** The steps of an epoch close at which a crash test can kill the process. */
export type EpochFailpoint =
  | "after-cut"
  | "mid-bundle"
  | "after-bundle-file"
  | "after-bundle"
  | "after-sign"
  | "after-broadcast"
  | "after-submit"
  | "after-finalize-broadcast"
  | "after-quarantine";

/**
 * SIGKILLs the process (like a power cut: no cleanup, no flush) when `TRIBUTARY_FAILPOINT` equals `name`.
 * Crash tests run the close in a child process with the variable set, restart on the same data directory
 * and check that exactly one report lands and no receipt is lost or counted twice.
 */
export function failpoint(name: EpochFailpoint): void {
  if (process.env.TRIBUTARY_FAILPOINT !== name) return;
  process.kill(process.pid, "SIGKILL");
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
