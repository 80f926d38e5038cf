import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);

/** Root of the contracts workspace. */
export const contractsRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(contractsRoot, "..");

/**
 * Compiler settings, pinned. `evmVersion` is the oldest fork our target chains run (OP Stack chains,
 * OpenLedger included, and Ethereum all have Cancun); the metadata hash is left out so the bytecode
 * depends only on the sources and these settings, never on the machine or the path it was built in.
 * `viaIR` costs a slower compile (about 40 s in solc-js, skipped when sources are unchanged) and buys
 * about 1,500 gas on every claim, the call contributors make most (see bench/gas.ts).
 */
export const solcSettings = {
  optimizer: { enabled: true, runs: 20_000 },
  viaIR: true,
  evmVersion: "cancun",
  metadata: { bytecodeHash: "none", appendCBOR: false },
  outputSelection: {
    "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "evm.methodIdentifiers"] },
  },
} as const;

/** One compiled contract. */
export type CompiledContract = {
  name: string;
  source: string;
  abi: readonly unknown[];
  bytecode: `0x${string}`;
  deployedBytecode: `0x${string}`;
};

/** What a compile produced, with the hash of its inputs (sources, settings and compiler version). */
export type CompileResult = {
  solcVersion: string;
  inputHash: string;
  contracts: CompiledContract[];
  warnings: string[];
};

function listSol(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...listSol(full));
    else if (entry.endsWith(".sol")) out.push(full);
  }
  return out;
}

/** Source units to compile: production sources under `src/`, test harnesses under `test/harness/`. */
export function collectSources(): Record<string, { content: string }> {
  const files = [...listSol(join(contractsRoot, "src")), ...listSol(join(contractsRoot, "test", "harness"))];
  const sources: Record<string, { content: string }> = {};
  for (const file of files) {
    sources[relative(contractsRoot, file).split("\\").join("/")] = { content: readFileSync(file, "utf8") };
  }
  return sources;
}

function resolveImport(path: string): { contents: string } | { error: string } {
  const candidates = [join(contractsRoot, path), join(repoRoot, "node_modules", path)];
  for (const candidate of candidates) {
    if (existsSync(candidate)) return { contents: readFileSync(candidate, "utf8") };
  }
  return { error: `import not found: ${path} (looked in contracts/ and node_modules/)` };
}

/** Hash of everything the bytecode depends on, used to skip a compile whose inputs did not change. */
export function hashInputs(sources: Record<string, { content: string }>, solcVersion: string): string {
  const h = createHash("sha256");
  h.update(solcVersion);
  h.update(JSON.stringify(solcSettings));
  for (const key of Object.keys(sources).sort()) {
    h.update(key);
    h.update("\0");
    h.update(sources[key]!.content);
    h.update("\0");
  }
  const ozPkg = JSON.parse(
    readFileSync(join(repoRoot, "node_modules/@openzeppelin/contracts/package.json"), "utf8"),
  );
  h.update(`openzeppelin@${ozPkg.version}`);
  return h.digest("hex");
}

/** The version string of the pinned solc-js compiler. */
export function solcVersion(): string {
  const solc = require("solc") as { version(): string };
  return solc.version();
}

/**
 * Compiles every source with solc-js (offline, the compiler ships inside the npm package).
 * Throws with all compiler errors when any source does not compile.
 */
export function compileAll(): CompileResult {
  const solc = require("solc") as { version(): string; compile(input: string, cb: object): string };
  const sources = collectSources();
  const input = { language: "Solidity", sources, settings: solcSettings };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: resolveImport })) as {
    errors?: { severity: string; formattedMessage: string }[];
    contracts?: Record<
      string,
      Record<
        string,
        { abi: unknown[]; evm: { bytecode: { object: string }; deployedBytecode: { object: string } } }
      >
    >;
  };
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) {
    throw new Error(`Solidity compilation failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`);
  }
  const warnings = (output.errors ?? []).filter((e) => e.severity !== "error").map((e) => e.formattedMessage);
  const contracts: CompiledContract[] = [];
  for (const [source, units] of Object.entries(output.contracts ?? {})) {
    if (!(source.startsWith("src/") || source.startsWith("test/"))) continue;
    for (const [name, unit] of Object.entries(units)) {
      contracts.push({
        name,
        source,
        abi: unit.abi,
        bytecode: `0x${unit.evm.bytecode.object}`,
        deployedBytecode: `0x${unit.evm.deployedBytecode.object}`,
      });
    }
  }
  contracts.sort((a, b) => (a.source + a.name < b.source + b.name ? -1 : 1));
  return { solcVersion: solc.version(), inputHash: hashInputs(sources, solc.version()), contracts, warnings };
}
