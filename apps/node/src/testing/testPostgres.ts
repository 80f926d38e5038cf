import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the PostgreSQL tests use (CI starts it: `.ci/run`); `TRIBUTARY_TEST_POSTGRES` overrides it. */
export const TEST_POSTGRES_URL =
  process.env.TRIBUTARY_TEST_POSTGRES ?? "postgres://postgres@127.0.0.1:5432/test";

/** A fresh database of its own for one test file. */
export type TestDatabase = { url: string; drop(): Promise<void> };

/**
 * Creates `tributary_test_<random>` on the test server, so test files never share tables; `drop()` removes it
 * (closing whatever sessions remain). When PostgreSQL is not reachable it throws, saying how to start it: the
 * PostgreSQL tests fail rather than skip.
 *
 * @example
 * const pgdb = await createTestDatabase();
 * const node = await createNode({ dataDir, databaseUrl: pgdb.url });
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `tributary_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_POSTGRES_URL} (${(error as Error).message}). The PostgreSQL tests need it: start it with \`pg_ctlcluster 15 main start\` (.ci/run does), or set TRIBUTARY_TEST_POSTGRES to a server where the user may create databases.`,
      { cause: error },
    );
  }
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
