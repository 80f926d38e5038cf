import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { cidOfUri } from "../upload/documentBlobs.ts";
import { type ContentPreview, previewOf } from "./previewOf.ts";

/** A contribution with its preview, its metadata (from the metadata blob) and the upload that brought it. */
export type ContributionView = ContentPreview & {
  contributionId: bigint;
  datanetId: bigint;
  contributor: Hex;
  contentHash: Hex;
  size: number;
  status: string;
  stake: bigint;
  metadataUri: string;
  /** The parsed metadata blob when the URI is `ipfs://<cid>` and this node has it, else null. */
  metadata: unknown;
  registeredBlock: number;
  updatedBlock: number;
  /** The upload on this node that staged it, if any. */
  uploadId: string | null;
};

/**
 * One indexed contribution with a text preview and its metadata, or undefined when the projection has no such id.
 *
 * @example
 * const c = await getContributionView(ctx, 7n);
 */
export async function getContributionView(
  ctx: NodeContext,
  contributionId: bigint,
  previewChars = 300,
): Promise<ContributionView | undefined> {
  if (contributionId > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const row = await ctx.db
    .selectFrom("contributions")
    .selectAll()
    .where("id", "=", Number(contributionId))
    .executeTakeFirst();
  if (!row) return undefined;
  const preview = await previewOf(ctx, row.content_hash as Hex, previewChars);
  let metadata: unknown = null;
  const cid = cidOfUri(row.metadata_uri);
  if (cid) {
    const bytes = await ctx.store.get(cid).catch(() => undefined);
    if (bytes) {
      try {
        metadata = JSON.parse(new TextDecoder().decode(bytes));
      } catch {
        metadata = null; // not JSON: somebody else's metadata format
      }
    }
  }
  const upload = await ctx.db
    .selectFrom("upload_documents")
    .select("upload_id")
    .where("contribution_id", "=", row.id)
    .executeTakeFirst();
  return {
    ...preview,
    contributionId: BigInt(row.id),
    datanetId: BigInt(row.datanet_id),
    contributor: row.contributor as Hex,
    contentHash: row.content_hash as Hex,
    size: row.size,
    status: row.status,
    stake: BigInt(row.stake),
    metadataUri: row.metadata_uri,
    metadata,
    registeredBlock: row.registered_block,
    updatedBlock: row.updated_block,
    uploadId: upload?.upload_id ?? null,
  };
}
