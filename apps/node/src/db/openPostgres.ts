import { PostgresDialect } from "kysely";
import pg from "pg";

/** Options of the PostgreSQL pool (`createDatabase({ url })`). */
export type PostgresPoolOptions = {
  /** Connections at most (default 10). */
  poolSize?: number;
  /** A statement running longer is cancelled (default 30 s). */
  statementTimeoutMs?: number;
};

/** Whether `url` names a PostgreSQL database (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

/**
 * int8 (`count(*)`, `max(rowid)`, bigint columns) and numeric (`sum(...)` of integers) as JS numbers, like
 * better-sqlite3 returns them: the node stores no money in them (amounts are decimal text, summed in SQL only
 * as `numeric` cast back to text), and a value beyond 2^53 is refused rather than rounded.
 */
function exactNumber(text: string): number {
  const value = Number(text);
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new RangeError(`PostgreSQL returned ${text}, beyond a safe JS integer; read it as text`);
  }
  return value;
}

const INT8 = 20;
const NUMERIC = 1700;

/** Type parsers of the node's pools: int8 and numeric become numbers, the rest is pg's default. */
export const postgresTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === INT8 || oid === NUMERIC) return exactNumber;
    return pg.types.getTypeParser(oid, format as "text");
  },
} as pg.CustomTypesConfig;

/**
 * A `pg.Pool` for the node (statement timeout, idle-in-transaction timeout, bounded size) and its Kysely dialect.
 *
 * @example
 * const { pool, dialect } = openPostgres("postgres://postgres@127.0.0.1/tributary");
 */
export function openPostgres(
  url: string,
  options: PostgresPoolOptions = {},
): { pool: pg.Pool; dialect: PostgresDialect } {
  const statementTimeout = options.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: 10_000,
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: Math.max(statementTimeout, 60_000),
    application_name: "tributary-node",
    types: postgresTypes,
  });
  // An idle client losing its server (a restart) must not crash the node: the pool drops it and reconnects.
  pool.on("error", () => {});
  return { pool, dialect: new PostgresDialect({ pool }) };
}
