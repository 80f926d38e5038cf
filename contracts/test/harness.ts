import { readFileSync } from "node:fs";
import type { Abi, Hex } from "viem";

/** A compiled test-only contract from contracts/test/harness (built by `npm run build:contracts`). */
export function loadHarness(name: string): { abi: Abi; bytecode: Hex } {
  const path = new URL("../out/harness.json", import.meta.url);
  const all = JSON.parse(readFileSync(path, "utf8")) as Record<string, { abi: Abi; bytecode: Hex }>;
  const c = all[name];
  if (!c)
    throw new Error(
      `harness ${name} not found in contracts/out/harness.json: run \`npm run build:contracts\``,
    );
  return c;
}
