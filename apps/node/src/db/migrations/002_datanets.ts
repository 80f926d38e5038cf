import type { Kysely } from "kysely";

/** Projections of DatanetRegistry events. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("datanets")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("owner", "text", (c) => c.notNull())
    .addColumn("metadata_uri", "text", (c) => c.notNull())
    .addColumn("curated", "integer", (c) => c.notNull())
    .addColumn("min_stake", "text", (c) => c.notNull())
    .addColumn("license_id", "text", (c) => c.notNull())
    .addColumn("refund_stake_on_accept", "integer", (c) => c.notNull())
    .addColumn("version_count", "integer", (c) => c.notNull())
    .addColumn("created_block", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("datanet_curators")
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("curator", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("datanet_curators_pk", ["datanet_id", "curator"])
    .execute();
  await db.schema
    .createTable("contributions")
    .addColumn("id", "integer", (c) => c.primaryKey())
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("contributor", "text", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("stake", "text", (c) => c.notNull())
    .addColumn("metadata_uri", "text", (c) => c.notNull())
    .addColumn("registered_block", "integer", (c) => c.notNull())
    .addColumn("updated_block", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("contributions_datanet_status")
    .on("contributions")
    .columns(["datanet_id", "status"])
    .execute();
  await db.schema
    .createIndex("contributions_datanet_hash")
    .on("contributions")
    .columns(["datanet_id", "content_hash"])
    .unique()
    .execute();
  await db.schema
    .createIndex("contributions_contributor")
    .on("contributions")
    .columns(["contributor"])
    .execute();
  await db.schema
    .createTable("versions")
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("contributions_root", "text", (c) => c.notNull())
    .addColumn("count", "integer", (c) => c.notNull())
    .addColumn("manifest_uri", "text", (c) => c.notNull())
    .addColumn("published_block", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("versions_pk", ["datanet_id", "version"])
    .execute();
  await db.schema
    .createTable("payout_addresses")
    .addColumn("contributor", "text", (c) => c.primaryKey())
    .addColumn("payout", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ["payout_addresses", "versions", "contributions", "datanet_curators", "datanets"]) {
    await db.schema.dropTable(t).execute();
  }
}
