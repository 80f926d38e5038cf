import type { Kysely } from "kysely";

/**
 * Uploads staged and relayed by this node (datanets/upload), MinHash signatures for near-duplicate detection,
 * and node-side datanet settings (the near-duplicate policy, which the on-chain policy has no field for).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("uploads")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("contributor", "text", (c) => c.notNull())
    .addColumn("mode", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("document_count", "integer", (c) => c.notNull())
    .addColumn("batch_size", "integer", (c) => c.notNull())
    .addColumn("deadline", "integer", (c) => c.notNull())
    .addColumn("error", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("uploads_status").on("uploads").columns(["status"]).execute();
  await db.schema
    .createTable("upload_documents")
    .addColumn("upload_id", "text", (c) => c.notNull().references("uploads.id").onDelete("cascade"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addColumn("batch", "integer", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("content_cid", "text", (c) => c.notNull())
    .addColumn("metadata_cid", "text", (c) => c.notNull())
    .addColumn("size", "integer", (c) => c.notNull())
    .addColumn("source_name", "text", (c) => c.notNull())
    .addColumn("locator", "text", (c) => c.notNull())
    .addColumn("format", "text", (c) => c.notNull())
    .addColumn("near_duplicates", "text", (c) => c.notNull())
    .addColumn("contribution_id", "integer")
    .addPrimaryKeyConstraint("upload_documents_pk", ["upload_id", "position"])
    .execute();
  await db.schema
    .createIndex("upload_documents_hash")
    .on("upload_documents")
    .columns(["content_hash"])
    .execute();
  await db.schema
    .createIndex("upload_documents_metadata")
    .on("upload_documents")
    .columns(["metadata_cid"])
    .execute();
  await db.schema
    .createTable("upload_batches")
    .addColumn("upload_id", "text", (c) => c.notNull().references("uploads.id").onDelete("cascade"))
    .addColumn("batch", "integer", (c) => c.notNull())
    .addColumn("contributor_nonce", "text", (c) => c.notNull())
    .addColumn("signature", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("relayer_nonce", "integer")
    .addColumn("raw_tx", "text")
    .addColumn("tx_hash", "text")
    .addColumn("tx_hashes", "text", (c) => c.notNull())
    .addColumn("block_number", "integer")
    .addColumn("error", "text")
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("upload_batches_pk", ["upload_id", "batch"])
    .execute();
  await db.schema
    .createTable("minhash_signatures")
    .addColumn("datanet_id", "integer", (c) => c.notNull())
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("signature", "blob", (c) => c.notNull())
    .addPrimaryKeyConstraint("minhash_signatures_pk", ["datanet_id", "content_hash"])
    .execute();
  await db.schema
    .createTable("datanet_settings")
    .addColumn("datanet_id", "integer", (c) => c.primaryKey())
    .addColumn("near_duplicate_policy", "text", (c) => c.notNull())
    .addColumn("near_duplicate_threshold", "real", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    "datanet_settings",
    "minhash_signatures",
    "upload_batches",
    "upload_documents",
    "uploads",
  ]) {
    await db.schema.dropTable(t).execute();
  }
}
