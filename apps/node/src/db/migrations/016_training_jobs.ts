import type { Kysely } from "kysely";

/**
 * Training jobs (issue 13): one row per `POST /v1/training/jobs`, the durable record of every step the job has
 * passed (export, tokenize, train, convert, store, register, lineage), so that a restarted node resumes an
 * unfinished job where it stood and never registers a model twice. Portable schema (SQLite and PostgreSQL):
 * text, integer and double precision columns only.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("training_jobs")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("method", "text", (c) => c.notNull())
    /** The validated request as JSON (base, trainedOn, hyper-parameters, pricing, split). */
    .addColumn("request", "text", (c) => c.notNull())
    .addColumn("base_cid", "text")
    .addColumn("base_sha256", "text")
    .addColumn("workdir", "text", (c) => c.notNull())
    .addColumn("tokens", "integer")
    .addColumn("tokens_sha256", "text")
    .addColumn("step", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("steps", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("loss", "double precision")
    .addColumn("first_loss", "double precision")
    .addColumn("tokens_per_second", "double precision")
    .addColumn("trainer_runs", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("artifact_cid", "text")
    .addColumn("artifact_sha256", "text")
    .addColumn("config_hash", "text")
    .addColumn("metadata_uri", "text")
    .addColumn("model_id", "integer")
    .addColumn("lineage_recorded", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("error_code", "text")
    .addColumn("error_message", "text")
    .addColumn("error_hint", "text")
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("finished_at", "text")
    .execute();
  await db.schema
    .createIndex("training_jobs_state")
    .on("training_jobs")
    .columns(["state", "created_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("training_jobs").execute();
}
