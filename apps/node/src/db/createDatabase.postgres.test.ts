import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../testing/testPostgres.ts";
import { createDatabase } from "./createDatabase.ts";

describe("createDatabase on PostgreSQL", () => {
  it("runs the SQLite-typed migrations with PostgreSQL types and numbers back as JS numbers", async () => {
    const pgdb = await createTestDatabase();
    const { db, dialect, close } = await createDatabase({ path: "", url: pgdb.url });
    try {
      expect(dialect).toBe("postgres");
      const columns = await sql<{
        table_name: string;
        column_name: string;
        data_type: string;
        is_identity: string;
      }>`
        select table_name, column_name, data_type, is_identity from information_schema.columns
        where (table_name, column_name) in (('uploads', 'deadline'), ('minhash_signatures', 'signature'),
          ('datanet_settings', 'near_duplicate_threshold'), ('relay_usage', 'id'), ('receipts', 'rowid'),
          ('receipts', 'price'))
        order by table_name, column_name`.execute(db);
      expect(
        columns.rows.map((c) => `${c.table_name}.${c.column_name} ${c.data_type} ${c.is_identity}`),
      ).toEqual([
        "datanet_settings.near_duplicate_threshold double precision NO",
        "minhash_signatures.signature bytea NO",
        "receipts.price text NO",
        "receipts.rowid bigint YES",
        "relay_usage.id bigint YES",
        "uploads.deadline bigint NO",
      ]);
      const { rows } = await sql<{
        n: number;
        big: number;
      }>`select count(*) as n, ${2 ** 52}::bigint as big`.execute(db);
      expect(rows[0]).toEqual({ n: 1, big: 2 ** 52 });
      await expect(sql`select ${"9007199254740993"}::bigint as v`.execute(db)).rejects.toThrow(
        /beyond a safe JS integer/,
      );
    } finally {
      await close();
      await pgdb.drop();
    }
  });

  it("fails with how to start PostgreSQL when it is not reachable, without the password", async () => {
    await expect(createDatabase({ path: "", url: "postgres://u:secret@127.0.0.1:1/none" })).rejects.toThrow(
      /^cannot connect to PostgreSQL at postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/none: .*Start PostgreSQL/,
    );
  });
});
