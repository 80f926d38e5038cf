import type { Kysely } from "kysely";

/** Which attribution index file (content address in the index store) serves each datanet version. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("version_indexes")
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("index_id", "text", (c) => c.notNull())
    .addColumn("tokens", "integer", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("version_indexes_pk", ["datanet_id", "version"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("version_indexes").execute();
}
