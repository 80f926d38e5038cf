import { randomBytes } from "node:crypto";
import {
  contentHash,
  createLshIndex,
  type DocumentFormat,
  estimateJaccard,
  type JsonValue,
} from "@tributary/core";
import { ContractRevertError, getContributionIdOf, getDatanet } from "@tributary/sdk";
import { type Address, getAddress, type Hex, isAddress } from "viem";
import { cidForBytes } from "../../store/cid.ts";
import { chainError } from "./chainErrors.ts";
import { getDatanetSettings } from "./datanetSettings.ts";
import { documentBytes, documentCidOf, metadataBytes } from "./documentBlobs.ts";
import { DatanetError } from "./errors.ts";
import { failpoint } from "./failpoint.ts";
import { getUpload, type UploadView } from "./getUpload.ts";
import type { NearDuplicateFlag } from "./nearDuplicates.ts";
import { signatureBytes } from "./nearDuplicates.ts";
import { assertRelayEnabled, chargeRelayQuota } from "./relayQuota.ts";
import { releaseDocuments } from "./releaseDocuments.ts";
import { extractionPoolOf, requireChain, type UploadDeps } from "./uploadContext.ts";

/** One uploaded file: its name (the extension picks the format) and its bytes. */
export type UploadFile = { name: string; bytes: Uint8Array };

/** Parameters of {@link stageUpload}. */
export type StageUploadParameters = {
  datanetId: bigint;
  /** The wallet the contributions are recorded under (and that signs, in relayed mode). */
  contributor: Address;
  files: readonly UploadFile[];
  /** `relayed` (default): the contributor signs, the node sends; `direct`: the contributor sends the transaction. */
  mode?: "relayed" | "direct";
};

/** A near-duplicate flag of a staged document: a registered contribution, or an earlier document of the same upload. */
export type StagedNearDuplicate =
  | ({ kind: "contribution" } & NearDuplicateFlag)
  | { kind: "upload"; position: number; similarity: number };

/** Return type of {@link stageUpload}: the staged upload, with the typed data to sign (relayed mode). */
export type StageUploadReturnType = UploadView;

/** Errors of {@link stageUpload}: {@link DatanetError} with an ingest code naming the file and the rule, or a dedupe code. */
export type StageUploadErrorType = DatanetError;

type Prepared = {
  position: number;
  text: string;
  bytes: Uint8Array;
  hash: Hex;
  cid: string;
  sourceName: string;
  locator: string;
  format: DocumentFormat;
  fields: Record<string, JsonValue>;
  signature: Uint32Array;
  flags: StagedNearDuplicate[];
};

const where = (d: { sourceName: string; locator: string }) => `${d.sourceName} (${d.locator})`;

/**
 * Validates, extracts, normalizes, hashes and deduplicates the files of an upload, stores one blob per document
 * (the UTF-8 bytes of its normalized text, so its sha-256 is the on-chain content hash) plus a metadata blob, and
 * records the upload. Relayed uploads come back with one EIP-712 `ContributionBatch` per ≤ `batchSize` documents
 * for the contributor to sign; direct ones with the hashes, sizes and metadata URIs to send with `contributeBatch`.
 *
 * All or nothing: every check runs before anything is written, so a bad file (its error names the file, the rule
 * and the line), an exact duplicate (in the upload, on chain, or in another upload in flight) or a near-duplicate
 * under a `refuse` policy leaves no blob and no row. Writing is crash-safe: the rows go first (status `storing`,
 * one transaction), then the blobs, then the status becomes `staged`; a crash in between leaves a `storing` upload
 * that `recoverUploads` rolls back, so no blob is ever stored without a row that names it.
 *
 * @example
 * const upload = await stageUpload(deps, { datanetId: 1n, contributor, files: [{ name: "a.md", bytes }] });
 * const signatures = await Promise.all(upload.signing!.batches.map((b) => account.signTypedData(b.typedData)));
 */
export async function stageUpload(
  deps: UploadDeps,
  params: StageUploadParameters,
): Promise<StageUploadReturnType> {
  const { ctx, options, state } = deps;
  const chain = requireChain(ctx);
  const mode = params.mode ?? "relayed";
  if (!isAddress(params.contributor))
    throw new DatanetError(
      400,
      "INVALID_REQUEST",
      `contributor ${params.contributor} is not an address`,
      "Send the contributor's 0x address.",
    );
  const contributor = getAddress(params.contributor);
  if (params.files.length === 0)
    throw new DatanetError(400, "NO_FILES", "the upload has no files", "Attach at least one file.");
  if (params.files.length > options.maxFiles)
    throw new DatanetError(
      413,
      "TOO_MANY_FILES",
      `the upload has ${params.files.length} files, more than ${options.maxFiles}`,
      "Split the upload.",
    );
  let datanet: Awaited<ReturnType<typeof getDatanet>>;
  try {
    datanet = await getDatanet(chain.sdk, { datanetId: params.datanetId });
  } catch (e) {
    if (e instanceof ContractRevertError && e.errorName === "DatanetRegistryDatanetNotFound")
      throw new DatanetError(
        404,
        "DATANET_NOT_FOUND",
        `datanet ${params.datanetId} does not exist`,
        "Check the id with GET /v1/datanets.",
      );
    throw chainError(e, "RPC_ERROR", "reading the datanet");
  }
  const settings = await getDatanetSettings(ctx.db, params.datanetId, options.nearDuplicateThreshold);
  if (mode === "relayed") assertRelayEnabled(settings, params.datanetId);

  // 1. Extract everything (on the extraction workers, with time and memory limits); the first bad file refuses
  // the whole upload.
  const docs: Prepared[] = [];
  const pool = extractionPoolOf(deps);
  for (const file of params.files) {
    const result = await pool.extract(file.name, file.bytes, {
      ...options.extract,
      maxBytes: options.maxFileBytes,
    });
    if (!result.ok) {
      const e = result.error;
      const status = e.code === "FILE_TOO_LARGE" || e.code === "TOO_MANY_DOCUMENTS" ? 413 : 400;
      throw new DatanetError(status, e.code, e.message, e.hint, {
        details: { file: e.file, ...(e.line === undefined ? {} : { line: e.line }) },
      });
    }
    for (const d of result.documents) {
      if (docs.length === options.maxDocuments)
        throw new DatanetError(
          413,
          "TOO_MANY_DOCUMENTS",
          `the upload holds more than ${options.maxDocuments} documents (at ${file.name}, ${d.locator})`,
          "Split the upload into several.",
          { details: { file: file.name } },
        );
      const bytes = documentBytes(d.text);
      const hash = contentHash(d.text);
      docs.push({
        position: docs.length,
        text: d.text,
        bytes,
        hash,
        cid: documentCidOf(hash),
        sourceName: d.sourceName,
        locator: d.locator,
        format: result.format,
        fields: d.metadata,
        signature: state.nearDuplicates.hasher.signature(d.text),
        flags: [],
      });
    }
  }

  // 2. Exact duplicates: within the upload, on chain (the source of truth), in another upload in flight.
  const seen = new Map<string, Prepared>();
  for (const d of docs) {
    const first = seen.get(d.hash);
    if (first)
      throw new DatanetError(
        409,
        "DUPLICATE_IN_UPLOAD",
        `${where(d)} has the same text as ${where(first)}`,
        "Remove one of the two copies and upload again.",
        { details: { file: d.sourceName, contentHash: d.hash } },
      );
    seen.set(d.hash, d);
  }
  // The contract dedupes per (datanet, contributor, hash), so the chain answers for this contributor and the
  // indexed projection for everybody else: exact copies of registered text earn nothing, whoever registered it.
  await forEachLimit(docs, 16, async (d) => {
    let id: bigint;
    try {
      id = await getContributionIdOf(chain.sdk, {
        datanetId: params.datanetId,
        contributor,
        contentHash: d.hash,
      });
    } catch (e) {
      throw chainError(e, "RPC_ERROR", "checking for duplicates");
    }
    if (id === 0n) {
      // Registered through this node (recorded with the receipt, no indexer lag), or seen by the indexer.
      const relayed = await ctx.db
        .selectFrom("upload_documents as d")
        .innerJoin("uploads as u", "u.id", "d.upload_id")
        .select("d.contribution_id as id")
        .where("u.datanet_id", "=", Number(params.datanetId))
        .where("d.content_hash", "=", d.hash)
        .where("d.contribution_id", "is not", null)
        .orderBy("d.contribution_id")
        .executeTakeFirst();
      const indexed = await ctx.db
        .selectFrom("contributions")
        .select("id")
        .where("datanet_id", "=", Number(params.datanetId))
        .where("content_hash", "=", d.hash.toLowerCase())
        .orderBy("id")
        .executeTakeFirst();
      const found = relayed?.id ?? indexed?.id;
      if (found !== undefined && found !== null) id = BigInt(found);
    }
    if (id !== 0n)
      throw new DatanetError(
        409,
        "DUPLICATE_CONTENT",
        `${where(d)} is already contribution ${id} of datanet ${params.datanetId}`,
        "Exact duplicates earn nothing: remove the document and upload the rest.",
        { details: { file: d.sourceName, contentHash: d.hash, contributionId: String(id) } },
      );
  });
  const hashes = docs.map((d) => d.hash);
  for (let i = 0; i < hashes.length; i += 500) {
    const inFlight = await ctx.db
      .selectFrom("upload_documents as d")
      .innerJoin("uploads as u", "u.id", "d.upload_id")
      .select(["d.content_hash", "u.id"])
      .where("u.datanet_id", "=", Number(params.datanetId))
      .where("u.status", "in", ["storing", "staged", "submitting"])
      .where("d.contribution_id", "is", null)
      .where("d.content_hash", "in", hashes.slice(i, i + 500))
      .executeTakeFirst();
    if (inFlight) {
      const d = seen.get(inFlight.content_hash)!;
      throw new DatanetError(
        409,
        "DUPLICATE_IN_FLIGHT",
        `${where(d)} is already staged in upload ${inFlight.id} of datanet ${params.datanetId}`,
        "Submit that upload, or wait until it expires, then upload again.",
        { details: { file: d.sourceName, contentHash: d.hash, uploadId: inFlight.id } },
      );
    }
  }

  // 3. Near duplicates: registered contributions of every datanet, and earlier documents of this upload.
  const local = createLshIndex();
  for (const d of docs) {
    const found = await state.nearDuplicates.find(d.signature, settings.nearDuplicateThreshold);
    d.flags.push(...found.map((f) => ({ kind: "contribution" as const, ...f })));
    for (const id of local.findNearDuplicates(d.signature, settings.nearDuplicateThreshold)) {
      const other = docs[Number(id.id)]!;
      d.flags.push({
        kind: "upload",
        position: other.position,
        similarity: estimateJaccard(d.signature, other.signature),
      });
    }
    local.add(String(d.position), d.signature);
    if (settings.nearDuplicatePolicy === "refuse" && d.flags.length > 0) {
      const f = d.flags[0]!;
      const match =
        f.kind === "contribution"
          ? `contribution ${f.contributionId} of datanet ${f.datanetId}`
          : where(docs[f.position]!);
      throw new DatanetError(
        409,
        "NEAR_DUPLICATE",
        `${where(d)} is ${Math.round(f.similarity * 100)}% similar to ${match}, and datanet ${params.datanetId} refuses near-duplicates`,
        "Upload original text; re-uploading someone else's text earns nothing.",
        { details: { file: d.sourceName, match: f } },
      );
    }
  }

  // The node would pay the gas: refuse now, before anything is written, when the quotas cannot take it (checked, not
  // charged: the charge comes with the signatures, in submitUpload).
  if (mode === "relayed")
    await chargeRelayQuota(ctx.db, options.relayQuota, {
      datanetId: params.datanetId,
      contributor,
      documents: docs.length,
      batches: Math.ceil(docs.length / options.batchSize),
      now: Math.floor(options.now() / 1000),
    });

  // 4. Write: rows (storing) → blobs → staged. Recovery rolls back an upload that stops in `storing`.
  const id = randomBytes(16).toString("hex");
  const nowMs = options.now();
  const ttl = mode === "relayed" ? options.stagingTtlSeconds : options.directTtlSeconds;
  const metadata = docs.map((d) =>
    metadataBytes({
      schema: "tributary/contribution-metadata@1",
      content: d.cid,
      contentHash: d.hash,
      size: d.bytes.length,
      source: { name: d.sourceName, locator: d.locator, format: d.format },
      licenseId: datanet.policy.licenseId,
      fields: d.fields,
    }),
  );
  const metadataCids = metadata.map((b) => cidForBytes(b).cid);
  const iso = new Date(nowMs).toISOString();
  state.active.add(id);
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("uploads")
        .values({
          id,
          datanet_id: Number(params.datanetId),
          contributor: contributor.toLowerCase(),
          mode,
          status: "storing",
          document_count: docs.length,
          batch_size: options.batchSize,
          deadline: Math.floor(nowMs / 1000) + ttl,
          error: null,
          created_at: iso,
          updated_at: iso,
        })
        .execute();
      for (let i = 0; i < docs.length; i += 200) {
        await trx
          .insertInto("upload_documents")
          .values(
            docs.slice(i, i + 200).map((d) => ({
              upload_id: id,
              position: d.position,
              batch: Math.floor(d.position / options.batchSize),
              content_hash: d.hash,
              content_cid: d.cid,
              metadata_cid: metadataCids[d.position]!,
              size: d.bytes.length,
              source_name: d.sourceName,
              locator: d.locator,
              format: d.format,
              near_duplicates: JSON.stringify(d.flags),
              contribution_id: null,
            })),
          )
          .execute();
        await trx
          .insertInto("minhash_signatures")
          .values(
            docs.slice(i, i + 200).map((d) => ({
              datanet_id: Number(params.datanetId),
              content_hash: d.hash,
              signature: signatureBytes(d.signature),
            })),
          )
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    });
    failpoint("upload:after-rows");
    await state.blobLock.run(async () => {
      for (const d of docs) {
        await ctx.store.put(d.bytes);
        await ctx.store.put(metadata[d.position]!);
      }
    });
    failpoint("upload:after-blobs");
    await ctx.db
      .updateTable("uploads")
      .set({ status: "staged", updated_at: new Date().toISOString() })
      .where("id", "=", id)
      .execute();
    failpoint("upload:after-db");
  } catch (e) {
    await releaseDocuments(deps, {
      uploadId: id,
      status: "rolled_back",
      error: `storing failed: ${e instanceof Error ? e.message : String(e)}`,
    }).catch((cleanup: unknown) =>
      ctx.log("error", "upload: rollback after a failed store failed", { id, cleanup }),
    );
    throw e;
  } finally {
    state.active.delete(id);
  }
  await state.nearDuplicates.add(
    docs.map((d) => ({ datanetId: params.datanetId, contentHash: d.hash, signature: d.signature })),
  );
  ctx.log("info", "upload: staged", {
    id,
    datanetId: String(params.datanetId),
    documents: docs.length,
    mode,
  });
  const view = await getUpload(deps, id);
  if (!view) throw new Error(`upload ${id} vanished after staging`);
  return view;
}

/** Runs `fn` over `items` with at most `limit` calls in flight; the first failure wins. */
async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
