import { open, readFile } from "node:fs/promises";
import { join } from "node:path";

/** The workdir files of a job (trainer/README.md has the trainer's part). */
export const jobFiles = (workdir: string) => ({
  baseGguf: join(workdir, "base.gguf"),
  baseSafetensors: join(workdir, "base.safetensors"),
  config: join(workdir, "config.json"),
  tokens: join(workdir, "tokens.bin"),
  progress: join(workdir, "progress.jsonl"),
  out: join(workdir, "out.safetensors"),
  done: join(workdir, "done.json"),
  error: join(workdir, "error.json"),
  trainedOn: join(workdir, "trained-on.json"),
  artifact: join(workdir, "artifact.gguf"),
  exportDir: (datanetId: string, version: number) =>
    join(workdir, "export", `datanet-${datanetId}-v${version}`),
});

/** One line of the trainer's progress.jsonl. */
export type ProgressLine = {
  step: number;
  steps: number;
  loss: number;
  tokensPerSecond: number;
  etaSeconds?: number;
};

/** The first and the last complete line of progress.jsonl (reads at most 8 KiB of each end). */
export async function readProgress(
  path: string,
): Promise<{ first?: ProgressLine | undefined; last?: ProgressLine | undefined }> {
  const fh = await open(path, "r").catch(() => undefined);
  if (!fh) return {};
  try {
    const { size } = await fh.stat();
    if (size === 0) return {};
    const head = Buffer.alloc(Math.min(size, 8192));
    await fh.read(head, 0, head.length, 0);
    const tailLength = Math.min(size, 8192);
    const tail = Buffer.alloc(tailLength);
    await fh.read(tail, 0, tailLength, size - tailLength);
    const firstLine = head.toString("utf8").split("\n")[0];
    const lines = tail.toString("utf8").split("\n");
    // The last element is "" after a complete line, or a line still being written: skip it either way.
    const lastLine = lines.length >= 2 ? lines[lines.length - 2] : undefined;
    return { first: parseLine(firstLine), last: parseLine(lastLine) };
  } finally {
    await fh.close();
  }
}

function parseLine(line: string | undefined): ProgressLine | undefined {
  if (!line) return undefined;
  try {
    const v = JSON.parse(line) as ProgressLine;
    return typeof v.step === "number" && typeof v.steps === "number" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON file written by the trainer, or undefined when absent or unreadable. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, "utf8")) as T;
  } catch {
    return undefined;
  }
}
