import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { documentCidOf } from "../upload/documentBlobs.ts";

/** A text preview of a contribution's content, from its blob. */
export type ContentPreview = {
  /** CID of the document blob (derived from the content hash). */
  contentCid: string;
  /** Whether this node has the blob. */
  available: boolean;
  /** The first `chars` characters of the normalized text (null without the blob). */
  preview: string | null;
  /** Whether the text is longer than the preview. */
  truncated: boolean;
};

/**
 * The preview of the document whose content hash is `contentHash`, read (and verified) from the content store.
 *
 * @example
 * const { preview } = await previewOf(ctx, row.content_hash, 300);
 */
export async function previewOf(ctx: NodeContext, contentHash: Hex, chars = 300): Promise<ContentPreview> {
  const contentCid = documentCidOf(contentHash);
  const bytes = await ctx.store.get(contentCid).catch(() => undefined);
  if (!bytes) return { contentCid, available: false, preview: null, truncated: false };
  const text = new TextDecoder().decode(bytes);
  const points = Array.from(text);
  return {
    contentCid,
    available: true,
    preview: points.slice(0, chars).join(""),
    truncated: points.length > chars,
  };
}
