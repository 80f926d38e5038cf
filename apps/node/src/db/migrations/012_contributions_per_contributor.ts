import type { Kysely } from "kysely";

/**
 * DatanetRegistry dedupes per (datanet, contributor, content hash) since contributions are bound to their
 * contributor (a front-runner's copy of a hash is its own record and no longer blocks the original). The projection
 * follows: the unique key gains the contributor, and (datanet, hash) stays as a plain index for the lookups that
 * find every registration of a text (curation's `copyOf`, staging's duplicate check).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("contributions_datanet_hash").execute();
  await db.schema
    .createIndex("contributions_datanet_contributor_hash")
    .on("contributions")
    .columns(["datanet_id", "contributor", "content_hash"])
    .unique()
    .execute();
  await db.schema
    .createIndex("contributions_datanet_hash")
    .on("contributions")
    .columns(["datanet_id", "content_hash"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("contributions_datanet_hash").execute();
  await db.schema.dropIndex("contributions_datanet_contributor_hash").execute();
  await db.schema
    .createIndex("contributions_datanet_hash")
    .on("contributions")
    .columns(["datanet_id", "content_hash"])
    .unique()
    .execute();
}
