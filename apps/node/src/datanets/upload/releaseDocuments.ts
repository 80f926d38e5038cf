import { getContributionIdOf } from "@tributary/sdk";
import type { Hex } from "viem";
import type { UploadRow } from "../../db/schema.ts";
import { metadataUriOf } from "./documentBlobs.ts";
import { requireChain, type UploadDeps } from "./uploadContext.ts";

/** Parameters of {@link releaseDocuments}. */
export type ReleaseDocumentsParameters = {
  uploadId: string;
  /** Positions to release; all documents of the upload when omitted. */
  positions?: readonly number[];
  /** Status the upload takes once the documents are gone, written in the same transaction as the row deletions. */
  status: UploadRow["status"];
  error: string | null;
};

/**
 * Releases documents of an upload that will never be registered by it (rollback, expiry): deletes their blobs,
 * then their rows and the upload's new status in one transaction. A blob is kept when anything else still needs
 * it: another live upload's row, or a registration of the same content (the `contributions` projection, or the
 * chain itself for this datanet, which the projection may not have caught up with). Blobs go first and rows last,
 * so a crash in between leaves rows whose upload is still in its old status, and the next recovery repeats the
 * release (deleting a blob twice is harmless); the opposite order could leave orphan blobs nobody points at.
 *
 * @example
 * await releaseDocuments(deps, { uploadId, status: "rolled_back", error: "expired" });
 */
export async function releaseDocuments(
  deps: UploadDeps,
  params: ReleaseDocumentsParameters,
): Promise<number> {
  const { ctx, state } = deps;
  const chain = requireChain(ctx);
  const upload = await ctx.db
    .selectFrom("uploads")
    .selectAll()
    .where("id", "=", params.uploadId)
    .executeTakeFirst();
  if (!upload) return 0;
  let query = ctx.db.selectFrom("upload_documents").selectAll().where("upload_id", "=", params.uploadId);
  if (params.positions) {
    if (params.positions.length === 0) query = query.where("position", "in", [-1]);
    else query = query.where("position", "in", [...params.positions]);
  }
  const docs = await query.execute();
  // Content registered on chain in this datanet keeps its blobs: by this upload's contributor (read from the chain,
  // the source of truth) or by anybody else (the indexed projection, below).
  const onChain = new Set<string>();
  for (const d of docs) {
    const id = await getContributionIdOf(chain.sdk, {
      datanetId: BigInt(upload.datanet_id),
      contributor: upload.contributor as Hex,
      contentHash: d.content_hash as Hex,
    });
    if (id !== 0n) onChain.add(d.content_hash);
  }
  return await state.blobLock.run(async () => {
    let deleted = 0;
    const dropSignatures: { datanetId: bigint; contentHash: Hex }[] = [];
    for (const d of docs) {
      const registered =
        onChain.has(d.content_hash) ||
        (await ctx.db
          .selectFrom("contributions")
          .select("id")
          .where((eb) =>
            eb.or([
              eb("content_hash", "=", d.content_hash),
              eb("metadata_uri", "=", metadataUriOf(d.metadata_cid)),
            ]),
          )
          .executeTakeFirst()) !== undefined;
      for (const cid of [d.content_cid, d.metadata_cid]) {
        if (registered) continue;
        const other = await ctx.db
          .selectFrom("upload_documents as d")
          .innerJoin("uploads as u", "u.id", "d.upload_id")
          .select("d.upload_id")
          .where("d.upload_id", "!=", params.uploadId)
          .where("u.status", "!=", "rolled_back")
          .where((eb) => eb.or([eb("d.content_cid", "=", cid), eb("d.metadata_cid", "=", cid)]))
          .executeTakeFirst();
        if (other) continue;
        if (await ctx.store.delete(cid)) deleted++;
      }
      if (!registered) {
        const sameDatanet = await ctx.db
          .selectFrom("upload_documents as d")
          .innerJoin("uploads as u", "u.id", "d.upload_id")
          .select("d.upload_id")
          .where("d.upload_id", "!=", params.uploadId)
          .where("u.status", "!=", "rolled_back")
          .where("u.datanet_id", "=", upload.datanet_id)
          .where("d.content_hash", "=", d.content_hash)
          .executeTakeFirst();
        if (!sameDatanet)
          dropSignatures.push({ datanetId: BigInt(upload.datanet_id), contentHash: d.content_hash as Hex });
      }
    }
    await ctx.db.transaction().execute(async (trx) => {
      for (const d of docs) {
        await trx
          .deleteFrom("upload_documents")
          .where("upload_id", "=", d.upload_id)
          .where("position", "=", d.position)
          .execute();
      }
      for (const s of dropSignatures) {
        await trx
          .deleteFrom("minhash_signatures")
          .where("datanet_id", "=", Number(s.datanetId))
          .where("content_hash", "=", s.contentHash)
          .execute();
      }
      if (params.status === "rolled_back") {
        await trx.deleteFrom("upload_batches").where("upload_id", "=", params.uploadId).execute();
      }
      await trx
        .updateTable("uploads")
        .set({ status: params.status, error: params.error, updated_at: new Date().toISOString() })
        .where("id", "=", params.uploadId)
        .execute();
    });
    await state.nearDuplicates.remove(dropSignatures);
    return deleted;
  });
}
