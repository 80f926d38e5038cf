import { TributaryError } from "@tributary/core";

/** Terminal output helpers: human lines by default, machine JSON with --json. */

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColor ? `\u001b[${code}m${s}\u001b[0m` : s);
export const bold = paint(1);
export const dim = paint(2);
export const underline = paint(4);
export const green = paint(32);
export const yellow = paint(33);
export const red = paint(31);
export const cyan = paint(36);

/** Whether stdout understands ANSI colors (a terminal, NO_COLOR unset). */
export const colorOn = useColor;

/**
 * A mistake in how the command was called (bad flag value, missing argument): exit code 2, with a hint.
 *
 * @example
 * throw new UsageError("--amount must be a decimal amount of the payment token, got 1e5", "Write it out: 100000.");
 */
export class UsageError extends TributaryError {
  readonly exitCode = 2;
  constructor(message: string, hint?: string) {
    super(message, { code: "USAGE", ...(hint ? { hint } : {}) });
    this.name = "UsageError";
  }
}

/**
 * A failure the user can act on (node refused, no key configured, ...): exit code 1, with a hint.
 *
 * @example
 * throw new CliError("no key configured", "Set TRIBUTARY_PRIVATE_KEY.");
 */
export class CliError extends TributaryError {
  constructor(message: string, hint?: string, code = "CLI_ERROR") {
    super(message, { code, ...(hint ? { hint } : {}) });
    this.name = "CliError";
  }
}

/** Where progress lines go: stderr, so stdout stays clean for results (and for --json). */
export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** A step of long work: prints what starts, then ✓ with the time it took, or ✗ with the error. */
export async function step<T>(label: string, work: () => Promise<T>, quiet = false): Promise<T> {
  const started = Date.now();
  if (!quiet) process.stderr.write(`${dim("…")} ${label}\n`);
  try {
    const result = await work();
    if (!quiet)
      process.stderr.write(
        `${green("✓")} ${label} ${dim(`(${((Date.now() - started) / 1000).toFixed(1)} s)`)}\n`,
      );
    return result;
  } catch (error) {
    if (!quiet) process.stderr.write(`${red("✗")} ${label}\n`);
    throw error;
  }
}

/** JSON with bigints as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2);
}

/**
 * Prints a command's result: `value` as JSON with `--json`, otherwise the human `lines` (a function so
 * the human rendering is only computed when needed).
 */
export function emit(json: boolean | undefined, value: unknown, lines: () => string[]): void {
  if (json) process.stdout.write(`${toJson(value)}\n`);
  else process.stdout.write(`${lines().join("\n")}\n`);
}

/** Exit code of an error: 2 for usage errors, 1 otherwise. */
export function exitCodeOf(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}

/** Prints an error with what to do, and exits with `code` (2 for a {@link UsageError}, else 1). */
export function fail(error: unknown, code = exitCodeOf(error)): never {
  const e = error as { shortMessage?: string; message?: string; hint?: string; code?: string };
  process.stderr.write(`${red("error:")} ${e.shortMessage ?? e.message ?? String(error)}\n`);
  if (e.hint) process.stderr.write(`${dim("hint:")} ${e.hint}\n`);
  process.exit(code);
}

/**
 * Wraps a command action: any error is printed (message + hint) and exits 1 (2 for usage errors).
 *
 * @example
 * .action(run(async (opts) => { ... }))
 */
export function run<A extends unknown[]>(
  action: (...args: A) => Promise<void>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await action(...args);
    } catch (error) {
      fail(error);
    }
  };
}
