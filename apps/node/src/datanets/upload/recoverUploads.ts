import { matchDirectUpload } from "./getUpload.ts";
import { relayBatch } from "./relayBatch.ts";
import { releaseDocuments } from "./releaseDocuments.ts";
import { requireChain, type UploadDeps } from "./uploadContext.ts";

/** Return type of {@link recoverUploads}: what each step did, by upload id. */
export type RecoverUploadsReturnType = {
  /** Uploads a crash stopped while storing: their blobs and rows are gone. */
  rolledBack: string[];
  /** Uploads whose in-flight batches were settled (mined, rebroadcast or re-sent) and are now complete. */
  completed: string[];
  /** Uploads still waiting: a transaction not mined yet, or an RPC failure (retried on the next run). */
  pending: string[];
  /** Uploads past their deadline: unregistered documents released. */
  expired: string[];
  /** Temporary files of interrupted blob writes that were removed. */
  temporaryFilesRemoved: number;
};

/**
 * Makes store, database and chain agree after a crash; run it at startup and then now and then (it is idempotent
 * and serialized). In order:
 *
 * 1. uploads stopped in `storing` (rows written, blobs maybe) are rolled back: blobs deleted, then rows;
 * 2. batches with a durable intent (`signed`, `sent`) are settled by {@link relayBatch}: mined → recorded;
 *    not mined → the same raw transaction is rebroadcast, or re-signed with a fresh relayer nonce;
 * 3. direct uploads are matched to the indexed registrations;
 * 4. uploads past their deadline (local clock, and for relayed uploads the chain's clock too, so no signed batch
 *    can still land) release the documents that were never registered;
 * 5. temporary files of interrupted blob writes are swept.
 *
 * @example
 * const report = await recoverUploads(deps); // at startup, before serving uploads
 */
export async function recoverUploads(deps: UploadDeps): Promise<RecoverUploadsReturnType> {
  const { ctx, options, state } = deps;
  const chain = requireChain(ctx);
  return await state.recoveryLock.run(async () => {
    const report: RecoverUploadsReturnType = {
      rolledBack: [],
      completed: [],
      pending: [],
      expired: [],
      temporaryFilesRemoved: 0,
    };
    const storing = await ctx.db.selectFrom("uploads").select("id").where("status", "=", "storing").execute();
    for (const { id } of storing) {
      if (state.active.has(id)) continue;
      await releaseDocuments(deps, {
        uploadId: id,
        status: "rolled_back",
        error: "the node stopped while storing the upload",
      });
      report.rolledBack.push(id);
    }

    const submitting = await ctx.db
      .selectFrom("uploads")
      .selectAll()
      .where("status", "=", "submitting")
      .execute();
    for (const upload of submitting) {
      const batches = await ctx.db
        .selectFrom("upload_batches")
        .select(["batch", "status"])
        .where("upload_id", "=", upload.id)
        .orderBy("batch")
        .execute();
      try {
        for (const b of batches) {
          if (b.status === "mined") continue;
          const result = await relayBatch(deps, upload, b.batch);
          if (result.outcome === "reverted") break;
        }
      } catch (e) {
        ctx.log("warn", "upload: recovery could not settle a batch yet", {
          id: upload.id,
          e: String(e).slice(0, 300),
        });
      }
      const after = await ctx.db
        .selectFrom("uploads")
        .select("status")
        .where("id", "=", upload.id)
        .executeTakeFirst();
      (after?.status === "completed" ? report.completed : report.pending).push(upload.id);
    }

    const direct = await ctx.db
      .selectFrom("uploads")
      .selectAll()
      .where("mode", "=", "direct")
      .where("status", "=", "staged")
      .execute();
    for (const upload of direct) await matchDirectUpload(deps, upload);

    const nowSeconds = Math.floor(options.now() / 1000);
    const live = await ctx.db
      .selectFrom("uploads")
      .selectAll()
      .where("status", "in", ["staged", "submitting"])
      .where("deadline", "<", nowSeconds)
      .execute();
    const chainTime = live.length > 0 ? Number((await chain.publicClient.getBlock()).timestamp) : 0;
    for (const upload of live) {
      if (upload.mode === "relayed") {
        if (chainTime <= upload.deadline) continue; // a signed batch could still be mined
        const inFlight = await ctx.db
          .selectFrom("upload_batches")
          .select("batch")
          .where("upload_id", "=", upload.id)
          .where("status", "=", "sent")
          .executeTakeFirst();
        if (inFlight) continue; // settle it first (step 2 on the next run)
      }
      const open = await ctx.db
        .selectFrom("upload_documents")
        .select(["position", "contribution_id"])
        .where("upload_id", "=", upload.id)
        .execute();
      const unregistered = open.filter((d) => d.contribution_id === null).map((d) => d.position);
      const some = unregistered.length < open.length;
      await releaseDocuments(deps, {
        uploadId: upload.id,
        positions: unregistered,
        status: some ? "completed" : "rolled_back",
        error: `expired at ${new Date(upload.deadline * 1000).toISOString()} with ${unregistered.length} of ${upload.document_count} documents unregistered`,
      });
      report.expired.push(upload.id);
    }
    report.temporaryFilesRemoved = await ctx.store.sweepTemporaryFiles();
    return report;
  });
}
