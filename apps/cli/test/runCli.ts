import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The CLI's entry, as `npx tributary` runs it. */
export const CLI_BIN = fileURLToPath(new URL("../bin/tributary.mjs", import.meta.url));

/** What one CLI run printed and its exit code. */
export type CliResult = { code: number; stdout: string; stderr: string };

/**
 * Runs the real CLI in `cwd` with a clean Tributary environment (no `TRIBUTARY_*` of the caller's, no
 * colours) plus `env`; resolves with its exit code and output, also when it fails.
 *
 * @example
 * const r = await runCli(dir, ["epoch", "close"]); expect(r.code, r.stderr).toBe(0);
 */
export function runCli(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 90_000,
): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("TRIBUTARY_")),
  ) as Record<string, string>;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI_BIN, ...args],
      { cwd, env: { ...base, NO_COLOR: "1", ...env }, timeout: timeoutMs },
      (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}
