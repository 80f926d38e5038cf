import {
  buildContributionBatchTypedData,
  type contributionBatchTypes,
  getContributionSigningTerms,
} from "@tributary/sdk";
import type { Address, Hex, TypedDataDefinition } from "viem";
import { getAddress } from "viem";
import type { UploadBatchRow, UploadDocumentRow, UploadRow } from "../../db/schema.ts";
import { chainError } from "./chainErrors.ts";
import { metadataUriOf } from "./documentBlobs.ts";
import type { StagedNearDuplicate } from "./stageUpload.ts";
import { requireChain, type UploadDeps } from "./uploadContext.ts";

/** One document of an upload. */
export type UploadDocumentView = {
  position: number;
  batch: number;
  contentHash: Hex;
  /** CID of the document blob (the UTF-8 normalized text). */
  contentCid: string;
  /** `ipfs://<metadata blob CID>`, the on-chain `metadataURI`. */
  metadataUri: string;
  size: number;
  sourceName: string;
  locator: string;
  format: string;
  nearDuplicates: StagedNearDuplicate[];
  /** The contribution it became, once registered. */
  contributionId: bigint | null;
};

/** One batch (≤ batchSize documents, one signature, one transaction) of a relayed upload. */
export type UploadBatchView = {
  batch: number;
  /** unsigned (needs a signature) → signed → sent (transaction durable, maybe pending) → mined. */
  status: "unsigned" | UploadBatchRow["status"];
  contributorNonce: bigint | null;
  txHash: Hex | null;
  blockNumber: number | null;
  error: string | null;
};

/** A batch the contributor must sign: the EIP-712 typed data of `contributeBatchWithSig`. */
export type SigningBatch = {
  batch: number;
  typedData: TypedDataDefinition<typeof contributionBatchTypes, "ContributionBatch">;
};

/** The arguments a direct contributor sends with `contributeBatch`, per batch. */
export type DirectBatch = {
  batch: number;
  contentHashes: Hex[];
  sizes: bigint[];
  metadataURIs: string[];
};

/** An upload as the API shows it. */
export type UploadView = {
  id: string;
  datanetId: bigint;
  contributor: Address;
  mode: UploadRow["mode"];
  status: UploadRow["status"];
  /** Unix seconds: the signed deadline, after which the upload's unregistered blobs are released. */
  deadline: bigint;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  documents: UploadDocumentView[];
  batches: UploadBatchView[];
  /** Relayed uploads that still need signatures: sign each `typedData`, in order, and submit the signatures. */
  signing?: { batches: SigningBatch[] };
  /** Direct uploads: what to send with `contributeBatch` (the node matches the registrations by content hash). */
  direct?: { batches: DirectBatch[] };
};

/** Return type of {@link getUpload}. */
export type GetUploadReturnType = UploadView | undefined;

/**
 * An upload with its documents, batches and, while it waits for them, the typed data to sign (relayed) or the
 * calls to send (direct). Direct uploads are matched first to the indexed `ContributionRegistered` rows of their
 * contributor by (datanet, content hash), and complete when every document is registered.
 *
 * @example
 * const upload = await getUpload(deps, id);
 * if (upload?.status === "completed") console.log(upload.documents.map((d) => d.contributionId));
 */
export async function getUpload(deps: UploadDeps, uploadId: string): Promise<GetUploadReturnType> {
  const { ctx } = deps;
  let upload = await ctx.db.selectFrom("uploads").selectAll().where("id", "=", uploadId).executeTakeFirst();
  if (!upload) return undefined;
  if (upload.mode === "direct" && upload.status === "staged") {
    await matchDirectUpload(deps, upload);
    upload = (await ctx.db.selectFrom("uploads").selectAll().where("id", "=", uploadId).executeTakeFirst())!;
  }
  const docs = await ctx.db
    .selectFrom("upload_documents")
    .selectAll()
    .where("upload_id", "=", uploadId)
    .orderBy("position")
    .execute();
  const batchRows = await ctx.db
    .selectFrom("upload_batches")
    .selectAll()
    .where("upload_id", "=", uploadId)
    .orderBy("batch")
    .execute();
  const batchCount = Math.ceil(upload.document_count / upload.batch_size);
  const byBatch = new Map(batchRows.map((b) => [b.batch, b]));
  const live = upload.status === "staged" || upload.status === "submitting";
  const batches: UploadBatchView[] =
    upload.mode === "relayed" && (live || batchRows.length > 0)
      ? Array.from({ length: batchCount }, (_, batch) => batchView(batch, byBatch.get(batch)))
      : [];
  const view: UploadView = {
    id: upload.id,
    datanetId: BigInt(upload.datanet_id),
    contributor: getAddress(upload.contributor),
    mode: upload.mode,
    status: upload.status,
    deadline: BigInt(upload.deadline),
    error: upload.error,
    createdAt: upload.created_at,
    updatedAt: upload.updated_at,
    documents: docs.map(documentView),
    batches,
  };
  if (live && upload.mode === "relayed") {
    const unsigned = batches.filter((b) => b.status === "unsigned").map((b) => b.batch);
    if (unsigned.length > 0) view.signing = { batches: await signingBatches(deps, upload, docs, unsigned) };
  }
  if (live && upload.mode === "direct") {
    const groups = new Map<number, DirectBatch>();
    for (const d of docs) {
      if (d.contribution_id !== null) continue;
      const g = groups.get(d.batch) ?? { batch: d.batch, contentHashes: [], sizes: [], metadataURIs: [] };
      g.contentHashes.push(d.content_hash as Hex);
      g.sizes.push(BigInt(d.size));
      g.metadataURIs.push(metadataUriOf(d.metadata_cid));
      groups.set(d.batch, g);
    }
    view.direct = { batches: [...groups.values()] };
  }
  return view;
}

function documentView(d: UploadDocumentRow): UploadDocumentView {
  return {
    position: d.position,
    batch: d.batch,
    contentHash: d.content_hash as Hex,
    contentCid: d.content_cid,
    metadataUri: metadataUriOf(d.metadata_cid),
    size: d.size,
    sourceName: d.source_name,
    locator: d.locator,
    format: d.format,
    nearDuplicates: JSON.parse(d.near_duplicates) as StagedNearDuplicate[],
    contributionId: d.contribution_id === null ? null : BigInt(d.contribution_id),
  };
}

function batchView(batch: number, row: UploadBatchRow | undefined): UploadBatchView {
  return {
    batch,
    status: row?.status ?? "unsigned",
    contributorNonce: row ? BigInt(row.contributor_nonce) : null,
    txHash: (row?.tx_hash as Hex | null | undefined) ?? null,
    blockNumber: row?.block_number ?? null,
    error: row?.error ?? null,
  };
}

/**
 * The typed data of the batches that still need a signature. Nonces follow the contributor's on-chain nonce and
 * the batches this node already holds signatures for (they consume nonces first, in order).
 */
export async function signingBatches(
  deps: UploadDeps,
  upload: UploadRow,
  docs: readonly UploadDocumentRow[],
  unsigned: readonly number[],
): Promise<SigningBatch[]> {
  const { ctx } = deps;
  const chain = requireChain(ctx);
  const contributor = getAddress(upload.contributor);
  let terms: Awaited<ReturnType<typeof getContributionSigningTerms>>;
  try {
    terms = await getContributionSigningTerms(chain.sdk, {
      datanetId: BigInt(upload.datanet_id),
      contributor,
    });
  } catch (e) {
    throw chainError(e, "RPC_ERROR", "reading the signing terms");
  }
  const pending = await ctx.db
    .selectFrom("upload_batches as b")
    .innerJoin("uploads as u", "u.id", "b.upload_id")
    .select("b.contributor_nonce")
    .where("u.contributor", "=", upload.contributor)
    .where("b.status", "in", ["signed", "sent"])
    .execute();
  let nonce = terms.nonce;
  for (const p of pending) if (BigInt(p.contributor_nonce) >= nonce) nonce = BigInt(p.contributor_nonce) + 1n;
  return unsigned.map((batch, i) => {
    const items = docs.filter((d) => d.batch === batch);
    return {
      batch,
      typedData: buildContributionBatchTypedData({
        datanetId: BigInt(upload.datanet_id),
        contentHashes: items.map((d) => d.content_hash as Hex),
        sizes: items.map((d) => BigInt(d.size)),
        metadataURIs: items.map((d) => metadataUriOf(d.metadata_cid)),
        chainId: terms.chainId,
        registry: terms.registry,
        contributor,
        nonce: nonce + BigInt(i),
        stake: terms.stake,
        deadline: BigInt(upload.deadline),
      }),
    };
  });
}

/**
 * Matches a direct upload's documents to indexed registrations of its contributor by (datanet, content hash);
 * completes the upload when all are registered. Returns how many documents are registered.
 */
export async function matchDirectUpload(deps: UploadDeps, upload: UploadRow): Promise<number> {
  const { ctx } = deps;
  const docs = await ctx.db
    .selectFrom("upload_documents as d")
    .leftJoin("contributions as c", (j) =>
      j
        .onRef("c.content_hash", "=", "d.content_hash")
        .on("c.datanet_id", "=", upload.datanet_id)
        .on("c.contributor", "=", upload.contributor),
    )
    .select(["d.position", "d.contribution_id", "c.id as matched"])
    .where("d.upload_id", "=", upload.id)
    .execute();
  let registered = 0;
  await ctx.db.transaction().execute(async (trx) => {
    for (const d of docs) {
      if (d.contribution_id !== null) registered++;
      else if (d.matched !== null) {
        registered++;
        await trx
          .updateTable("upload_documents")
          .set({ contribution_id: d.matched })
          .where("upload_id", "=", upload.id)
          .where("position", "=", d.position)
          .execute();
      }
    }
    if (registered === docs.length && docs.length > 0 && upload.status === "staged") {
      await trx
        .updateTable("uploads")
        .set({ status: "completed", updated_at: new Date().toISOString() })
        .where("id", "=", upload.id)
        .execute();
    }
  });
  return registered;
}
