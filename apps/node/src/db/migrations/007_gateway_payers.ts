import { type Kysely, sql } from "kysely";

/**
 * Gateway, second part: the `payers` projection of Settlement's deposit and withdrawal events (the gateway
 * admits requests from it instead of reading the chain per request), API key names and rate limits, and
 * external models (an OpenAI-compatible upstream, its trained-on versions as JSON).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("payers")
    .addColumn("payer", "text", (c) => c.primaryKey())
    .addColumn("deposited", "text", (c) => c.notNull())
    .addColumn("withdrawn", "text", (c) => c.notNull())
    .addColumn("withdrawal_requested_at", "integer", (c) => c.notNull())
    .addColumn("withdrawal_available_at", "integer", (c) => c.notNull())
    .addColumn("updated_block", "integer", (c) => c.notNull())
    .addColumn("updated_log_index", "integer", (c) => c.notNull())
    .execute();
  await db.schema.alterTable("api_keys").addColumn("name", "text").execute();
  await db.schema.alterTable("api_keys").addColumn("rate_limit_per_minute", "integer").execute();
  await db.schema.createIndex("api_keys_payer").on("api_keys").column("payer").execute();
  await db.schema.alterTable("models").addColumn("upstream", "text").execute();
  await db.schema
    .alterTable("models")
    .addColumn("trained_on", "text", (c) => c.notNull().defaultTo(sql`'[]'`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("payers").execute();
  await db.schema.dropIndex("api_keys_payer").execute();
  for (const c of ["name", "rate_limit_per_minute"])
    await db.schema.alterTable("api_keys").dropColumn(c).execute();
  for (const c of ["upstream", "trained_on"]) await db.schema.alterTable("models").dropColumn(c).execute();
}
