import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const trainerDir = join(dirname(fileURLToPath(import.meta.url)), "..", "trainer");

// The trainer's own unit tests (Python unittest): loss decreases (full and LoRA), a resumed run equals an
// uninterrupted one bit for bit, seeds are honoured, bad inputs get their exit codes and error.json.
it("trainer unit tests pass under /usr/bin/python3", () => {
  const r = spawnSync("/usr/bin/python3", ["-m", "unittest", "-v", "test_train"], {
    cwd: trainerDir,
    encoding: "utf8",
    timeout: 240_000,
  });
  expect(r.stderr).toMatch(/\nOK\s*$/);
  expect(r.status).toBe(0);
}, 250_000);
