import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { renderJsonAbi, renderModule } from "../scripts/build.ts";
import { compileAll } from "../scripts/compile.ts";

const generated = new URL("../../packages/abi/src/generated/", import.meta.url);
const json = new URL("../../packages/abi/json/", import.meta.url);

describe("contract build", () => {
  let result: ReturnType<typeof compileAll>;
  // One compile (solc-js, a few seconds) serves both checks.
  beforeAll(() => {
    result = compileAll();
  }, 180_000);

  it("is reproducible: a fresh compile gives byte-identical bytecode and ABI modules to packages/abi", () => {
    const info = JSON.parse(readFileSync(new URL("build-info.json", generated), "utf8")) as {
      inputHash: string;
      bytecodeSha256: Record<string, string>;
    };
    expect(
      result.inputHash,
      "sources changed since packages/abi was generated: run `npm run build:contracts`",
    ).toBe(info.inputHash);
    const production = result.contracts.filter((c) => info.bytecodeSha256[c.name] !== undefined);
    expect(production.map((c) => c.name).sort()).toEqual(Object.keys(info.bytecodeSha256).sort());
    for (const c of production) {
      expect(createHash("sha256").update(c.bytecode).digest("hex"), c.name).toBe(info.bytecodeSha256[c.name]);
      expect(renderModule(c), c.name).toBe(readFileSync(new URL(`${c.name}.ts`, generated), "utf8"));
      expect(renderJsonAbi(c), `${c.name}.json`).toBe(readFileSync(new URL(`${c.name}.json`, json), "utf8"));
    }
  });

  it("pins the compiler and lets no warning in our sources pass", () => {
    expect(result.solcVersion).toMatch(/^0\.8\.30\+/);
    // Warnings are printed by the build; here we only insist that none of ours slipped through.
    expect(result.warnings.filter((w) => w.includes("src/") && !w.includes("node_modules"))).toEqual([]);
  });
});
