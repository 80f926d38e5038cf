/** Terminal output helpers: human lines by default, machine JSON with --json. */

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number) => (s: string) => (useColor ? `\u001b[${code}m${s}\u001b[0m` : s);
export const bold = paint(1);
export const dim = paint(2);
export const green = paint(32);
export const red = paint(31);
export const cyan = paint(36);

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

/** Prints an error with what to do, and exits with `code`. */
export function fail(error: unknown, code = 1): never {
  const e = error as { shortMessage?: string; message?: string; hint?: string };
  process.stderr.write(`${red("error:")} ${e.shortMessage ?? e.message ?? String(error)}\n`);
  if (e.hint) process.stderr.write(`${dim("hint:")} ${e.hint}\n`);
  process.exit(code);
}
