import type { DocumentFormat, JsonValue } from "@tributary/core";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";
import type { Hex } from "viem";
import { hexToBytes } from "viem";

const encoder = new TextEncoder();

/**
 * The CID of a document's blob from its on-chain content hash. A document is stored as the UTF-8 bytes of its
 * normalized text, so the sha-256 of the blob IS the content hash and anyone can find the content of a
 * contribution from the chain alone (CIDv1, raw codec, sha2-256, as `createLocalContentStore` names blobs).
 *
 * @example
 * documentCidOf(contentHash("hello")); // "bafkrei…"
 */
export function documentCidOf(contentHash: Hex): string {
  return CID.create(1, raw.code, Digest.create(sha256.code, hexToBytes(contentHash))).toString();
}

/**
 * The blob of a document: the UTF-8 bytes of its normalized text.
 *
 * @example
 * documentBytes("hello").length; // 5
 */
export function documentBytes(normalized: string): Uint8Array {
  return encoder.encode(normalized);
}

/** What the metadata blob of a contribution says (schema `tributary/contribution-metadata@1`). */
export type ContributionMetadata = {
  schema: "tributary/contribution-metadata@1";
  /** CID of the document blob (also derivable from the content hash). */
  content: string;
  contentHash: Hex;
  /** UTF-8 bytes of the normalized text (the on-chain size). */
  size: number;
  source: { name: string; locator: string; format: DocumentFormat };
  /** The datanet's on-chain license id (bytes32) at upload time. */
  licenseId: Hex;
  /** What else the source said (other JSONL fields, CSV columns, PDF page count). */
  fields: Record<string, JsonValue>;
};

/**
 * The bytes of a metadata blob: JSON with a fixed key order, so the same document uploaded twice gets the same
 * metadata CID.
 *
 * @example
 * const bytes = metadataBytes({ schema: "tributary/contribution-metadata@1", content, contentHash, size, source, licenseId, fields: {} });
 */
export function metadataBytes(metadata: ContributionMetadata): Uint8Array {
  const ordered: ContributionMetadata = {
    schema: metadata.schema,
    content: metadata.content,
    contentHash: metadata.contentHash,
    size: metadata.size,
    source: { name: metadata.source.name, locator: metadata.source.locator, format: metadata.source.format },
    licenseId: metadata.licenseId,
    fields: metadata.fields,
  };
  return encoder.encode(JSON.stringify(ordered));
}

/**
 * The on-chain `metadataURI` of a contribution: `ipfs://<metadata CID>`.
 *
 * @example
 * metadataUriOf("bafkrei…"); // "ipfs://bafkrei…"
 */
export function metadataUriOf(cid: string): string {
  return `ipfs://${cid}`;
}

/**
 * The CID inside an `ipfs://<cid>` URI, or `undefined` for any other URI.
 *
 * @example
 * cidOfUri("ipfs://bafkrei…"); // "bafkrei…"
 */
export function cidOfUri(uri: string): string | undefined {
  const m = /^ipfs:\/\/(b[a-z2-7]{58})$/.exec(uri);
  return m?.[1];
}
