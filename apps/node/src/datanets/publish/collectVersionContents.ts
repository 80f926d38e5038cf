import { buildContributionsTree } from "@tributary/core";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";
import { type Address, getAddress, type Hex, hexToBytes } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { originalsOf } from "../curation/originalsOf.ts";
import type { ManifestContribution } from "./buildManifest.ts";
import { VersionError } from "./errors.ts";

/** One accepted contribution with its text, ready to enter a version. */
export type VersionDocument = ManifestContribution & { contributionId: bigint; text: string };

/** Parameters of {@link collectVersionContents}. */
export type CollectVersionContentsParameters = { datanetId: bigint };

/** Return type of {@link collectVersionContents}: the documents (ascending id) and their Merkle root. */
export type CollectVersionContentsReturnType = {
  documents: VersionDocument[];
  contributionsRoot: Hex;
};

/** Errors of {@link collectVersionContents}: `EMPTY_VERSION`, `CONTENT_MISSING` (`VersionError`). */
export type CollectVersionContentsErrorType = VersionError;

/**
 * The CID under which the content store keeps a text whose sha-256 is `contentHash` (CIDv1, raw, sha2-256):
 * each contribution's normalized text is stored as its own blob, so its CID follows from the on-chain hash.
 *
 * @example
 * cidOfContentHash("0xb94d27b9…"); // "bafkrei…"
 */
export function cidOfContentHash(contentHash: Hex): string {
  return CID.create(1, raw.code, Digest.create(sha256.code, hexToBytes(contentHash))).toString();
}

/**
 * Reads what a new version of a datanet would contain, from the indexer's projection (so catch the indexer
 * up first): the Accepted contributions (Pending, Rejected, Slashed and Withdrawn never enter), their payout
 * addresses, and each one's text from the content store (verified against the on-chain content hash), with
 * its token count. Builds the contributions tree over them.
 *
 * Throws `EMPTY_VERSION` when nothing is accepted and `CONTENT_MISSING` (listing the ids) when the store lacks
 * some text: a version whose content cannot be served would break export and attribution.
 *
 * @example
 * const { documents, contributionsRoot } = await collectVersionContents(ctx, { datanetId: 1n });
 */
export async function collectVersionContents(
  ctx: NodeContext,
  params: CollectVersionContentsParameters,
): Promise<CollectVersionContentsReturnType> {
  const rows = await ctx.db
    .selectFrom("contributions")
    .leftJoin("payout_addresses", "payout_addresses.contributor", "contributions.contributor")
    .select([
      "contributions.id as id",
      "contributions.contributor as contributor",
      "contributions.content_hash as content_hash",
      "payout_addresses.payout as payout",
    ])
    .where("contributions.datanet_id", "=", Number(params.datanetId))
    .where("contributions.status", "=", "Accepted")
    .orderBy("contributions.id")
    .execute();
  // The same text registered under several addresses counts once (originalsOf): a copy is left out.
  const originals = await originalsOf(
    ctx.db,
    params.datanetId,
    rows.map((r) => r.content_hash),
  );
  const counted = rows.filter((r) => originals.get(r.content_hash.toLowerCase()) === r.id);
  if (counted.length === 0) {
    throw new VersionError(
      "EMPTY_VERSION",
      `datanet ${params.datanetId} has no accepted contribution: a version cannot be empty`,
      "Review pending contributions (accept at least one) before publishing a version.",
      { details: { datanetId: params.datanetId.toString() } },
    );
  }
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const documents: VersionDocument[] = [];
  const missing: string[] = [];
  for (const row of counted) {
    const contentHash = row.content_hash.toLowerCase() as Hex;
    const cid = cidOfContentHash(contentHash);
    const bytes = await ctx.store.get(cid);
    if (bytes === undefined) {
      missing.push(String(row.id));
      continue;
    }
    const text = decoder.decode(bytes);
    const contributor = getAddress(row.contributor) as Address;
    documents.push({
      contributionId: BigInt(row.id),
      id: String(row.id),
      contentHash,
      cid,
      contributor,
      payout: getAddress(row.payout ?? row.contributor),
      size: bytes.length,
      tokens: 0,
      text,
    });
  }
  if (missing.length > 0) {
    throw new VersionError(
      "CONTENT_MISSING",
      `the content store has no text for ${missing.length} accepted contribution(s) of datanet ${params.datanetId}: ${missing.slice(0, 10).join(", ")}${missing.length > 10 ? ", …" : ""}`,
      "Restore the blobs (ipfs://<cid> of each content hash) into the node's content store, or have the contributors upload them again, then publish.",
      { details: { datanetId: params.datanetId.toString(), missing } },
    );
  }
  const tree = buildContributionsTree(
    documents.map((d) => ({
      contributionId: d.contributionId,
      contentHash: d.contentHash,
      contributor: d.contributor,
    })),
  );
  return { documents, contributionsRoot: tree.root.toLowerCase() as Hex };
}
