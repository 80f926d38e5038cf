import { type Kysely, sql } from "kysely";

/**
 * Relay quotas (issue 11, item 7): `relay_usage` is the ledger of what the node agreed to relay (documents and the
 * gas it reserved for them), one row per submitted set of batches, so quotas over a sliding window survive restarts;
 * `datanet_settings.relay_enabled` lets the datanet's curator node turn relaying off (1 = on, the default).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("relay_usage")
    .addColumn("id", "integer", (c) => c.primaryKey().autoIncrement())
    .addColumn("upload_id", "text", (c) => c.notNull())
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("contributor", "text", (c) => c.notNull())
    .addColumn("documents", "integer", (c) => c.notNull())
    .addColumn("gas", "text", (c) => c.notNull())
    .addColumn("at", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("relay_usage_contributor_at")
    .on("relay_usage")
    .columns(["contributor", "at"])
    .execute();
  await db.schema
    .createIndex("relay_usage_datanet_at")
    .on("relay_usage")
    .columns(["datanet_id", "at"])
    .execute();
  await db.schema
    .alterTable("datanet_settings")
    .addColumn("relay_enabled", "integer", (c) => c.notNull().defaultTo(sql`1`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("datanet_settings").dropColumn("relay_enabled").execute();
  await db.schema.dropTable("relay_usage").execute();
}
