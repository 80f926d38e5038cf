import { signatureFromBytes } from "@tributary/core";
import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { getDatanetSettings } from "../upload/datanetSettings.ts";
import type { NearDuplicateFlag } from "../upload/nearDuplicates.ts";
import { signatureBytes } from "../upload/nearDuplicates.ts";
import { sharedUploadState } from "../upload/uploadContext.ts";
import { originalsOf } from "./originalsOf.ts";
import { type ContentPreview, previewOf } from "./previewOf.ts";

/** Parameters of {@link listPendingContributions}. */
export type ListPendingContributionsParameters = {
  datanetId: bigint;
  /** Page size (default 50, at most 500). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string;
  /** Near-duplicate threshold when the datanet has no setting (default 0.8). */
  defaultThreshold?: number;
};

/** A contribution waiting for review. */
export type PendingContribution = ContentPreview & {
  contributionId: bigint;
  contributor: Hex;
  contentHash: Hex;
  size: number;
  /** `Pending`, or `Withdrawn` while its stake still waits for a verdict. */
  status: string;
  stake: bigint;
  metadataUri: string;
  registeredBlock: number;
  /** Earlier contributions (any datanet) with similar text, most similar first. */
  nearDuplicates: NearDuplicateFlag[];
  /**
   * Set when this is a copy: the same text registered under another address, and the contribution that counts is
   * `copyOf` (see {@link originalsOf}). A copy cannot be accepted by the node and is left out of versions.
   */
  copyOf: bigint | null;
};

/** Return type of {@link listPendingContributions}: a page, and the cursor of the next one (null at the end). */
export type ListPendingContributionsReturnType = { items: PendingContribution[]; nextCursor: string | null };

/**
 * The contributions of a datanet that await a curator's verdict (from the indexed projection, oldest first): each
 * with a text preview from its blob and its near-duplicate flags, computed now against every earlier registered
 * contribution (so a flag always points at the older text). Signatures missing from `minhash_signatures`
 * (content registered without this node) are computed from the blob and stored.
 *
 * @example
 * const { items, nextCursor } = await listPendingContributions(ctx, { datanetId: 1n, limit: 20 });
 */
export async function listPendingContributions(
  ctx: NodeContext,
  params: ListPendingContributionsParameters,
): Promise<ListPendingContributionsReturnType> {
  const limit = Math.min(Math.max(params.limit ?? 50, 1), 500);
  const after = params.cursor === undefined ? 0 : Number(params.cursor);
  const rows = await ctx.db
    .selectFrom("contributions")
    .selectAll()
    .where("datanet_id", "=", Number(params.datanetId))
    .where((eb) =>
      eb.or([eb("status", "=", "Pending"), eb.and([eb("status", "=", "Withdrawn"), eb("stake", "!=", "0")])]),
    )
    .where("id", ">", after)
    .orderBy("id")
    .limit(limit + 1)
    .execute();
  const page = rows.slice(0, limit);
  const { nearDuplicates: index } = sharedUploadState(ctx);
  const settings = await getDatanetSettings(ctx.db, params.datanetId, params.defaultThreshold ?? 0.8);
  const originals = await originalsOf(
    ctx.db,
    params.datanetId,
    page.map((r) => r.content_hash),
  );
  const items: PendingContribution[] = [];
  for (const row of page) {
    const original = originals.get(row.content_hash.toLowerCase());
    const hash = row.content_hash as Hex;
    const preview = await previewOf(ctx, hash);
    let signature: Uint32Array | undefined;
    const stored = await ctx.db
      .selectFrom("minhash_signatures")
      .select("signature")
      .where("datanet_id", "=", row.datanet_id)
      .where("content_hash", "=", hash)
      .executeTakeFirst();
    if (stored) signature = signatureFromBytes(stored.signature);
    else if (preview.available) {
      const bytes = await ctx.store.get(preview.contentCid);
      if (bytes) {
        signature = index.hasher.signature(new TextDecoder().decode(bytes));
        await ctx.db
          .insertInto("minhash_signatures")
          .values({ datanet_id: row.datanet_id, content_hash: hash, signature: signatureBytes(signature) })
          .onConflict((oc) => oc.doNothing())
          .execute();
        await index.add([{ datanetId: BigInt(row.datanet_id), contentHash: hash, signature }]);
      }
    }
    items.push({
      ...preview,
      contributionId: BigInt(row.id),
      contributor: row.contributor as Hex,
      contentHash: hash,
      size: row.size,
      status: row.status,
      stake: BigInt(row.stake),
      metadataUri: row.metadata_uri,
      registeredBlock: row.registered_block,
      nearDuplicates: signature
        ? await index.find(signature, settings.nearDuplicateThreshold, { before: BigInt(row.id) })
        : [],
      copyOf: original !== undefined && original !== row.id ? BigInt(original) : null,
    });
  }
  return { items, nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null };
}
