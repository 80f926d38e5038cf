import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import type { Hex } from "viem";
import { DEFAULT_DATA_DIR } from "../args.ts";
import { bold, CliError, dim, emit, green, run, UsageError } from "../output.ts";

type AccountOptions = { dir?: string; passwordFile?: string; scryptN: string; json?: boolean };

function keystoreDir(opts: AccountOptions): string {
  return resolve(
    opts.dir ??
      process.env.TRIBUTARY_KEYSTORE_DIR ??
      join(process.env.TRIBUTARY_DATA_DIR ?? DEFAULT_DATA_DIR, "keystore"),
  );
}

function password(opts: AccountOptions): string {
  if (opts.passwordFile) {
    try {
      return readFileSync(opts.passwordFile, "utf8").replace(/\r?\n$/, "");
    } catch {
      throw new UsageError(`cannot read --password-file ${opts.passwordFile}`);
    }
  }
  const env = process.env.TRIBUTARY_KEYSTORE_PASSWORD;
  if (env === undefined || env === "")
    throw new CliError(
      "no keystore password",
      "Set TRIBUTARY_KEYSTORE_PASSWORD or pass --password-file <file> (never a flag with the password itself).",
      "NO_PASSWORD",
    );
  return env;
}

function scryptN(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024 || (n & (n - 1)) !== 0)
    throw new UsageError(
      `--scrypt-n must be a power of two ≥ 1024, got "${v}"`,
      "262144 (default) for real keys.",
    );
  return n;
}

async function write(opts: AccountOptions, pk: Hex) {
  const { decryptKeystore, encryptKeystore } = await import("@tributary/chain");
  const n = scryptN(opts.scryptN);
  const pw = password(opts);
  const { json, address } = encryptKeystore(pk, pw, { scryptN: n });
  const dir = keystoreDir(opts);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(
    dir,
    `UTC--${new Date().toISOString().replace(/:/g, "-")}--${address.slice(2).toLowerCase()}.json`,
  );
  writeFileSync(path, `${JSON.stringify(json)}\n`, { mode: 0o600, flag: "wx" });
  decryptKeystore(JSON.stringify(json), pw); // read back before reporting success
  emit(opts.json, { address, path }, () => [
    `${green("✓")} ${bold(address)} → ${path}`,
    dim(`use it: export TRIBUTARY_KEYSTORE=${path} TRIBUTARY_KEYSTORE_PASSWORD=…`),
  ]);
}

const common = (cmd: Command) =>
  cmd
    .option("--dir <folder>", `keystore folder (env TRIBUTARY_KEYSTORE_DIR; default <data dir>/keystore)`)
    .option("--json", "print the result as JSON");

/** `tributary account new|import|list`: encrypted Web3 Secret Storage v3 keystores. */
export function registerAccount(program: Command): void {
  const account = program
    .command("account")
    .description("encrypted keys (Web3 Secret Storage v3, readable by geth, cast and MetaMask)");
  common(
    account
      .command("new")
      .description(
        "generate a key and write it encrypted (password from TRIBUTARY_KEYSTORE_PASSWORD or --password-file)",
      )
      .option("--password-file <file>", "file holding the password")
      .option("--scrypt-n <n>", "scrypt cost (power of two)", "262144"),
  ).action(
    run(async (opts: AccountOptions) => write(opts, (await import("viem/accounts")).generatePrivateKey())),
  );
  common(
    account
      .command("import")
      .description("encrypt an existing key read from TRIBUTARY_PRIVATE_KEY (never from a flag)")
      .option("--password-file <file>", "file holding the password")
      .option("--scrypt-n <n>", "scrypt cost (power of two)", "262144"),
  ).action(
    run(async (opts: AccountOptions) => {
      const raw = process.env.TRIBUTARY_PRIVATE_KEY;
      if (!raw)
        throw new CliError(
          "no key to import",
          "Set TRIBUTARY_PRIVATE_KEY=0x… (32 bytes of hex) for this command.",
          "NO_KEY",
        );
      const pk = (raw.startsWith("0x") ? raw : `0x${raw}`) as Hex;
      if (!/^0x[0-9a-fA-F]{64}$/.test(pk))
        throw new UsageError("TRIBUTARY_PRIVATE_KEY must be 32 bytes of hex");
      await write(opts, pk);
    }),
  );
  common(
    account.command("list").description("keystore files and their addresses (no password needed)"),
  ).action(
    run(async (opts: AccountOptions) => {
      const dir = keystoreDir(opts);
      const { getAddress } = await import("viem");
      const items = existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith(".json") || f.startsWith("UTC--"))
            .sort()
            .flatMap((f) => {
              try {
                const j = JSON.parse(readFileSync(join(dir, f), "utf8")) as { address?: string };
                return [
                  {
                    address: j.address ? getAddress(`0x${j.address.replace(/^0x/, "")}`) : null,
                    path: join(dir, f),
                  },
                ];
              } catch {
                return [];
              }
            })
        : [];
      emit(opts.json, { dir, items }, () =>
        items.length === 0
          ? [`no keystores in ${dir}`, dim("create one: tributary account new")]
          : items.map((i) => `${i.address ?? "(no address field)"}  ${dim(i.path)}`),
      );
    }),
  );
}
