import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/**
 * For each content hash, the contribution of the datanet that counts: the contract dedupes per (datanet,
 * contributor, hash), so the same text can be registered under several addresses (a front-runner that copied a
 * pending transaction's hash, or two contributors on different nodes). The one that counts is the earliest
 * registration whose contributor staged that text on this node (an upload of theirs names the contribution: they
 * signed it, or sent it themselves from a staged direct upload); when no registration is backed by an upload here,
 * the earliest. Every other registration of the hash is a copy: curation shows it with `copyOf`, the node refuses to
 * accept it, and versions leave it out, so a copy earns nothing and takes nothing from the original.
 *
 * @returns content hash (lowercase) → id of the contribution that counts; hashes not registered are absent.
 *
 * @example
 * const originals = await originalsOf(ctx.db, 1n, [hash]);
 * const copyOf = originals.get(hash) !== id ? originals.get(hash) : undefined;
 */
export async function originalsOf(
  db: Kysely<Database>,
  datanetId: bigint,
  contentHashes: readonly string[],
): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const hashes = [...new Set(contentHashes.map((h) => h.toLowerCase()))];
  for (let i = 0; i < hashes.length; i += 500) {
    const rows = await db
      .selectFrom("contributions as c")
      .leftJoin("upload_documents as d", "d.contribution_id", "c.id")
      .leftJoin("uploads as u", (join) =>
        join.onRef("u.id", "=", "d.upload_id").onRef("u.contributor", "=", "c.contributor"),
      )
      .select(["c.id as id", "c.content_hash as content_hash", "u.id as upload_id"])
      .where("c.datanet_id", "=", Number(datanetId))
      .where("c.content_hash", "in", hashes.slice(i, i + 500))
      .orderBy("c.id")
      .execute();
    const earliest = new Map<string, number>();
    for (const row of rows) {
      if (!earliest.has(row.content_hash)) earliest.set(row.content_hash, row.id);
      if (row.upload_id !== null && !out.has(row.content_hash)) out.set(row.content_hash, row.id);
    }
    for (const [hash, id] of earliest) if (!out.has(hash)) out.set(hash, id);
  }
  return out;
}
