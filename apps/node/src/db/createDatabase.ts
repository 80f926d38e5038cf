import { chmodSync, closeSync, existsSync, openSync, statSync } from "node:fs";
import SQLite from "better-sqlite3";
import { Kysely, type Migration, type MigrationProvider, Migrator, SqliteDialect } from "kysely";
import type pg from "pg";
import type { SecretBox } from "../secrets/createSecretBox.ts";
import * as m001 from "./migrations/001_chain.ts";
import * as m002 from "./migrations/002_datanets.ts";
import * as m003 from "./migrations/003_version_indexes.ts";
import * as m004 from "./migrations/004_uploads.ts";
import * as m005 from "./migrations/005_publications.ts";
import * as m006 from "./migrations/006_gateway.ts";
import * as m007 from "./migrations/007_gateway_payers.ts";
import * as m008 from "./migrations/008_epochs.ts";
import * as m009 from "./migrations/009_model_terms.ts";
import * as m010 from "./migrations/010_receipt_quarantine.ts";
import * as m011 from "./migrations/011_input_pricing.ts";
import * as m012 from "./migrations/012_contributions_per_contributor.ts";
import * as m013 from "./migrations/013_relay_quotas.ts";
import { sealedSecrets } from "./migrations/014_sealed_secrets.ts";
import * as m015 from "./migrations/015_replicas.ts";
import * as m016 from "./migrations/016_training_jobs.ts";
import * as m017 from "./migrations/017_llama_models.ts";
import { isPostgresUrl, openPostgres, type PostgresPoolOptions } from "./openPostgres.ts";
import { postgresDdlPlugin } from "./postgresDdlPlugin.ts";
import type { Database } from "./schema.ts";

/** Versioned migrations, in order. Add a file, never edit a released one. */
const migrations = (secrets: SecretBox | undefined): Record<string, Migration> => ({
  "001_chain": m001,
  "002_datanets": m002,
  "003_version_indexes": m003,
  "004_uploads": m004,
  "005_publications": m005,
  "006_gateway": m006,
  "007_gateway_payers": m007,
  "008_epochs": m008,
  "009_model_terms": m009,
  "010_receipt_quarantine": m010,
  "011_input_pricing": m011,
  "012_contributions_per_contributor": m012,
  "013_relay_quotas": m013,
  "014_sealed_secrets": sealedSecrets(secrets),
  "015_replicas": m015,
  "016_training_jobs": m016,
  "017_llama_models": m017,
});

/** Options of {@link createDatabase}. */
export type CreateDatabaseParameters = {
  /** SQLite file path, or ":memory:"; ignored when `url` names a PostgreSQL database. */
  path: string;
  /**
   * `postgres://…`: the database is PostgreSQL (a pool, see `openPostgres`) instead of the SQLite file at
   * `path`. `TRIBUTARY_DATABASE_URL` / `tributary node --database-url` set it.
   */
  url?: string;
  /** PostgreSQL pool size and statement timeout. */
  postgres?: PostgresPoolOptions;
  /** Seals secrets at rest (migration 014); `createNode` passes the one of `<dataDir>/secrets.key`. */
  secrets?: SecretBox;
};

/** The node's database handle. */
export type NodeDatabase = {
  db: Kysely<Database>;
  /** Which database: one SQLite file (one process), or PostgreSQL (several replicas may share it). */
  dialect: "sqlite" | "postgres";
  /** The PostgreSQL URL (replicas open dedicated sessions for leader election with it). */
  url?: string;
  /** The PostgreSQL pool. */
  pool?: pg.Pool;
  close(): Promise<void>;
};

/**
 * Opens the SQLite database (WAL, synchronous=FULL so a committed row survives power loss, foreign
 * keys on, secure_delete so a replaced secret's bytes are zeroed) through Kysely, and applies pending
 * migrations; a file database is created with mode 0600 (its WAL and shared-memory files follow its mode) and
 * an existing one is put back to 0600. The same schema and queries run on
 * PostgreSQL by swapping the dialect.
 *
 * @example
 * const { db, close } = await createDatabase({ path: ".tributary/node.db" });
 */
export async function createDatabase(params: CreateDatabaseParameters): Promise<NodeDatabase> {
  if (isPostgresUrl(params.url)) return createPostgresDatabase(params, params.url);
  if (params.path !== ":memory:") restrictFile(params.path);
  const sqlite = new SQLite(params.path);
  for (const suffix of ["-wal", "-shm"]) restrictFile(`${params.path}${suffix}`, false);
  sqlite.pragma("secure_delete = ON");
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const applied = await migrate(db, db, params.secrets, params.path);
  // A migration may have replaced plaintext (014): leave none of the old pages in the WAL.
  if (applied) sqlite.pragma("wal_checkpoint(TRUNCATE)");
  return { db, dialect: "sqlite", close: () => db.destroy() };
}

/**
 * PostgreSQL: the same migrations through {@link postgresDdlPlugin} (SQLite types in PostgreSQL spelling).
 * Replicas starting together are safe: Kysely's migrator holds an advisory lock while it migrates.
 */
async function createPostgresDatabase(params: CreateDatabaseParameters, url: string): Promise<NodeDatabase> {
  const { pool, dialect } = openPostgres(url, params.postgres);
  const db = new Kysely<Database>({ dialect });
  try {
    await db.selectNoFrom((eb) => eb.val(1).as("one")).execute();
  } catch (error) {
    await db.destroy();
    throw new Error(
      `cannot connect to PostgreSQL at ${redactPassword(url)}: ${(error as Error).message}. Start PostgreSQL (pg_ctlcluster 15 main start) or fix the URL.`,
      { cause: error },
    );
  }
  await migrate(db, db.withPlugin(postgresDdlPlugin()), params.secrets, redactPassword(url));
  return { db, dialect: "postgres", url, pool, close: () => db.destroy() };
}

/** Applies pending migrations through `runner`; true when any ran. Destroys `db` and throws when one fails. */
async function migrate(
  db: Kysely<Database>,
  runner: Kysely<Database>,
  secrets: SecretBox | undefined,
  where: string,
): Promise<boolean> {
  const provider: MigrationProvider = { getMigrations: async () => migrations(secrets) };
  // Unordered: migrations are numbered by the work that adds them, and parallel work lands out of order (016
  // training jobs on a database before 015's tables exist); each one still runs exactly once.
  const { error, results } = await new Migrator({
    db: runner,
    provider,
    allowUnorderedMigrations: true,
  }).migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    await db.destroy();
    throw new Error(
      `database migration ${failed?.migrationName ?? ""} failed on ${where}: ${String(error)}. Restore a backup or start with a fresh data directory.`,
      { cause: error },
    );
  }
  return results?.some((r) => r.status === "Success") ?? false;
}

/** `url` without its password (for messages and logs). */
export function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, "//$1:***@");
}

/** Creates `path` with mode 0600 (unless `create` is false), or narrows an existing file to 0600. */
function restrictFile(path: string, create = true): void {
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  } else if (create) {
    closeSync(openSync(path, "a", 0o600));
  }
}
