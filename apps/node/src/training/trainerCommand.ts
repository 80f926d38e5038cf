import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ApiError } from "../api/ApiError.ts";

/** What to install on Debian when the reference trainer cannot run. */
export const TRAINER_INSTALL_HINT = "apt-get install -y python3-torch libopenblas0-pthread";

/** The reference trainer shipped with the repository (`trainer/train.py`). */
export const DEFAULT_TRAINER_SCRIPT: string = fileURLToPath(
  new URL("../../../../trainer/train.py", import.meta.url),
);

/**
 * The trainer command: `explicit` (node config), else `TRIBUTARY_TRAINER` (split on spaces), else
 * `/usr/bin/python3 <repo>/trainer/train.py`. The job appends the workdir contract's flags (trainer/README.md).
 *
 * @example
 * trainerCommand(undefined, { TRIBUTARY_TRAINER: "/opt/lf/bin/python /opt/lf/tributary_train.py" });
 */
export function trainerCommand(explicit?: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit && explicit.length > 0) return [...explicit];
  const fromEnv = env.TRIBUTARY_TRAINER?.trim();
  if (fromEnv) return fromEnv.split(/\s+/);
  return ["/usr/bin/python3", DEFAULT_TRAINER_SCRIPT];
}

/**
 * Runs `<trainer> --check` (60 s at most) and resolves when the trainer can run; otherwise throws 503
 * `TRAINER_UNAVAILABLE` naming what to install (Python missing, or PyTorch not importable).
 */
export async function checkTrainer(command: readonly string[]): Promise<void> {
  const [bin, ...args] = command as [string, ...string[]];
  const result = await new Promise<{ code: number | null; error?: NodeJS.ErrnoException; stderr: string }>(
    (resolve) => {
      let stderr = "";
      const child = spawn(bin, [...args, "--check"], {
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 60_000,
      });
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        if (stderr.length < 4096) stderr += d;
      });
      child.on("error", (error) => resolve({ code: null, error, stderr }));
      child.on("close", (code) => resolve({ code, stderr }));
    },
  );
  if (result.code === 0) return;
  const what = command.join(" ");
  if (result.error?.code === "ENOENT") {
    throw new ApiError(
      503,
      "TRAINER_UNAVAILABLE",
      `the trainer cannot start: ${bin} does not exist`,
      `Install Python and PyTorch (${TRAINER_INSTALL_HINT}), or point TRIBUTARY_TRAINER at another trainer.`,
    );
  }
  const detail = result.stderr.trim().split("\n").pop() ?? "";
  throw new ApiError(
    503,
    "TRAINER_UNAVAILABLE",
    result.code === 7
      ? `the trainer (${what}) cannot import PyTorch`
      : `the trainer check (${what} --check) failed with ${result.error?.message ?? `exit code ${result.code}`}${detail ? `: ${detail}` : ""}`,
    `Install PyTorch for /usr/bin/python3: ${TRAINER_INSTALL_HINT} (or point TRIBUTARY_TRAINER at another trainer).`,
  );
}
