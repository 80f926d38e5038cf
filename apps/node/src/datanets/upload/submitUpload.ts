import type { Hex } from "viem";
import { getDatanetSettings } from "./datanetSettings.ts";
import { DatanetError } from "./errors.ts";
import { getUpload, type UploadView } from "./getUpload.ts";
import { relayBatch } from "./relayBatch.ts";
import { assertRelayEnabled, chargeRelayQuota } from "./relayQuota.ts";
import { requireChain, type UploadDeps } from "./uploadContext.ts";

/** Parameters of {@link submitUpload}. */
export type SubmitUploadParameters = {
  uploadId: string;
  /** One signature per batch listed in `signing.batches` of the staged upload, in that order. */
  signatures: readonly Hex[];
};

/** Return type of {@link submitUpload}: the upload after relaying (status `completed` when every batch is mined). */
export type SubmitUploadReturnType = UploadView;

/** Errors of {@link submitUpload}: {@link DatanetError} (`UPLOAD_NOT_FOUND`, `UPLOAD_EXPIRED`, `INVALID_SIGNATURE`, `SUBMIT_REVERTED`, `SUBMIT_PENDING`, ...). */
export type SubmitUploadErrorType = DatanetError;

/**
 * Relays a staged upload: checks each batch signature against its typed data (EOA or ERC-1271 wallet), stores the
 * signatures durably (so recovery can finish the upload if the node dies), then sends the batches in nonce order
 * with {@link relayBatch}, one `contributeBatchWithSig` transaction each, paid by the node. Idempotent: a completed
 * upload is returned as is, and a partly relayed one continues where it stopped.
 *
 * One signature per batch of ≤ 100 documents, because the contract checks one signature per call and a batch's
 * size is bounded by the block gas limit; an upload of ≤ 100 documents needs one signature.
 *
 * @example
 * const staged = await stageUpload(deps, params);
 * const signatures = await Promise.all(staged.signing!.batches.map((b) => account.signTypedData(b.typedData)));
 * const done = await submitUpload(deps, { uploadId: staged.id, signatures });
 */
export async function submitUpload(
  deps: UploadDeps,
  params: SubmitUploadParameters,
): Promise<SubmitUploadReturnType> {
  const { ctx, options } = deps;
  const chain = requireChain(ctx);
  const upload = await ctx.db
    .selectFrom("uploads")
    .selectAll()
    .where("id", "=", params.uploadId)
    .executeTakeFirst();
  if (!upload)
    throw new DatanetError(
      404,
      "UPLOAD_NOT_FOUND",
      `no upload ${params.uploadId}`,
      "Stage the files first with POST /v1/datanets/:id/uploads.",
    );
  if (upload.mode === "direct")
    throw new DatanetError(
      409,
      "UPLOAD_NOT_SUBMITTABLE",
      `upload ${upload.id} is a direct upload`,
      "Send contributeBatch yourself with the hashes, sizes and metadata URIs of GET /v1/uploads/:id.",
    );
  if (upload.status === "rolled_back")
    throw new DatanetError(
      410,
      "UPLOAD_GONE",
      `upload ${upload.id} was rolled back: ${upload.error ?? "unknown"}`,
      "Upload the files again.",
    );
  if (upload.status === "completed") return (await getUpload(deps, upload.id))!;
  if (upload.status === "storing")
    throw new DatanetError(
      409,
      "UPLOAD_NOT_SUBMITTABLE",
      `upload ${upload.id} is still being stored`,
      "Retry in a moment.",
      {
        retryable: true,
      },
    );
  if (Math.floor(options.now() / 1000) > upload.deadline)
    throw new DatanetError(
      410,
      "UPLOAD_EXPIRED",
      `upload ${upload.id} expired at ${new Date(upload.deadline * 1000).toISOString()}`,
      "Upload the files again; expired uploads are released by recovery.",
    );
  const view = (await getUpload(deps, upload.id))!;
  const toSign = view.signing?.batches ?? [];
  if (params.signatures.length !== toSign.length)
    throw new DatanetError(
      400,
      "SIGNATURE_COUNT",
      `upload ${upload.id} needs ${toSign.length} signature(s) (batches ${toSign.map((b) => b.batch).join(", ") || "none"}), got ${params.signatures.length}`,
      "Sign each typedData of signing.batches of GET /v1/uploads/:id, in order, and send the signatures in that order.",
    );
  for (const [i, b] of toSign.entries()) {
    const ok = await chain.publicClient
      .verifyTypedData({
        address: view.contributor,
        ...b.typedData,
        signature: params.signatures[i]!,
      } as never)
      .catch(() => false);
    if (!ok)
      throw new DatanetError(
        400,
        "INVALID_SIGNATURE",
        `signature ${i} is not ${view.contributor}'s signature of batch ${b.batch} of upload ${upload.id}`,
        "Sign exactly the typedData of GET /v1/uploads/:id with the contributor's key (eth_signTypedData_v4); nonces change when other signatures are used first.",
        { details: { batch: b.batch } },
      );
  }
  if (toSign.length > 0) {
    // Before any gas is spent and before the signatures are kept: relaying may have been turned off since staging,
    // and the quotas are charged now (a crash right after this overcharges, never undercharges).
    const datanetId = BigInt(upload.datanet_id);
    assertRelayEnabled(
      await getDatanetSettings(ctx.db, datanetId, options.nearDuplicateThreshold),
      datanetId,
    );
    await chargeRelayQuota(ctx.db, options.relayQuota, {
      datanetId,
      contributor: upload.contributor,
      documents: toSign.reduce((n, b) => n + b.typedData.message.contentHashes.length, 0),
      batches: toSign.length,
      now: Math.floor(options.now() / 1000),
      uploadId: upload.id,
    });
    const now = new Date().toISOString();
    await ctx.db.transaction().execute(async (trx) => {
      for (const [i, b] of toSign.entries()) {
        await trx
          .insertInto("upload_batches")
          .values({
            upload_id: upload.id,
            batch: b.batch,
            contributor_nonce: b.typedData.message.nonce.toString(),
            signature: params.signatures[i]!,
            status: "signed",
            relayer_nonce: null,
            raw_tx: null,
            tx_hash: null,
            tx_hashes: "[]",
            block_number: null,
            error: null,
            updated_at: now,
          })
          .onConflict((oc) => oc.columns(["upload_id", "batch"]).doNothing())
          .execute();
      }
      await trx
        .updateTable("uploads")
        .set({ status: "submitting", error: null, updated_at: now })
        .where("id", "=", upload.id)
        .execute();
    });
  }
  const fresh = (await ctx.db
    .selectFrom("uploads")
    .selectAll()
    .where("id", "=", upload.id)
    .executeTakeFirst())!;
  for (const b of view.batches) {
    const result = await relayBatch(deps, fresh, b.batch);
    if (result.outcome === "reverted")
      throw new DatanetError(
        409,
        "SUBMIT_REVERTED",
        `batch ${b.batch} of upload ${upload.id}: ${result.error}`,
        `Sign the batches of GET /v1/uploads/${upload.id} again and resubmit.`,
      );
  }
  ctx.log("info", "upload: submitted", { id: upload.id });
  return (await getUpload(deps, upload.id))!;
}
