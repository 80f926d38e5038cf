/** The steps of an upload at which a crash test can kill the process, in the order they happen. */
export type UploadFailpoint =
  | "upload:after-rows"
  | "upload:after-blobs"
  | "upload:after-db"
  | "upload:after-intent"
  | "upload:after-broadcast"
  | "upload:after-receipt";

/**
 * Kills the process with SIGKILL (no cleanup, no flush: a power cut) when the environment variable
 * `TRIBUTARY_FAILPOINT` names `name` (one name, or several separated by `,` or `|`); does nothing otherwise.
 * Crash tests run an upload in a child process with the variable set, restart the node on the same data
 * directory and check that recovery makes store, database and chain agree.
 *
 * @example
 * failpoint("upload:after-broadcast"); // dies here when TRIBUTARY_FAILPOINT=upload:after-broadcast
 */
export function failpoint(name: UploadFailpoint): void {
  const armed = process.env.TRIBUTARY_FAILPOINT;
  if (!armed?.split(/[,|]/).includes(name)) return;
  process.kill(process.pid, "SIGKILL");
  // The signal lands asynchronously: block so that not one more step runs before it does.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}
