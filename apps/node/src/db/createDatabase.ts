import SQLite from "better-sqlite3";
import { Kysely, type Migration, type MigrationProvider, Migrator, SqliteDialect } from "kysely";
import * as m001 from "./migrations/001_chain.ts";
import * as m002 from "./migrations/002_datanets.ts";
import * as m003 from "./migrations/003_version_indexes.ts";
import * as m004 from "./migrations/004_uploads.ts";
import * as m005 from "./migrations/005_publications.ts";
import * as m006 from "./migrations/006_gateway.ts";
import * as m007 from "./migrations/007_gateway_payers.ts";
import * as m008 from "./migrations/008_epochs.ts";
import * as m009 from "./migrations/009_model_terms.ts";
import * as m010 from "./migrations/010_contributions_per_contributor.ts";
import * as m011 from "./migrations/011_relay_quotas.ts";
import type { Database } from "./schema.ts";

/** Versioned migrations, in order. Add a file, never edit a released one. */
const migrations: Record<string, Migration> = {
  "001_chain": m001,
  "002_datanets": m002,
  "003_version_indexes": m003,
  "004_uploads": m004,
  "005_publications": m005,
  "006_gateway": m006,
  "007_gateway_payers": m007,
  "008_epochs": m008,
  "009_model_terms": m009,
  "010_contributions_per_contributor": m010,
  "011_relay_quotas": m011,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Options of {@link createDatabase}. */
export type CreateDatabaseParameters = {
  /** SQLite file path, or ":memory:". */
  path: string;
};

/** The node's database handle. */
export type NodeDatabase = { db: Kysely<Database>; close(): Promise<void> };

/**
 * Opens the SQLite database (WAL, synchronous=FULL so a committed row survives power loss, foreign
 * keys on) through Kysely, and applies pending migrations. The same schema and queries run on
 * PostgreSQL by swapping the dialect.
 *
 * @example
 * const { db, close } = await createDatabase({ path: ".tributary/node.db" });
 */
export async function createDatabase(params: CreateDatabaseParameters): Promise<NodeDatabase> {
  const sqlite = new SQLite(params.path);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === "Error");
  if (error || failed) {
    await db.destroy();
    throw new Error(
      `database migration ${failed?.migrationName ?? ""} failed on ${params.path}: ${String(error)}. Restore a backup or start with a fresh data directory.`,
      { cause: error },
    );
  }
  return { db, close: () => db.destroy() };
}
