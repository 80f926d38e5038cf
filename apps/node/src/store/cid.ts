import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import * as Digest from "multiformats/hashes/digest";
import { sha256 } from "multiformats/hashes/sha2";
import { ContentStoreError } from "./errors.ts";

/** A 32-byte value as 0x-prefixed lowercase hex. */
export type Hex32 = `0x${string}`;

/** The address of some bytes: CIDv1, raw codec, sha2-256, base32 (`bafkrei…`), plus the bare digest. */
export type ContentAddress = { cid: string; sha256: Hex32 };

/**
 * The content address of `bytes`: sha-256, wrapped as a CIDv1 with the raw codec (0x55) and the sha2-256
 * multihash (0x12), in base32. It is the CID `ipfs add --cid-version 1 --raw-leaves` gives a file of one block,
 * so the same address resolves on IPFS.
 *
 * @example
 * cidForBytes(new Uint8Array()).cid; // "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"
 */
export function cidForBytes(bytes: Uint8Array): ContentAddress {
  const digest = createHash("sha256").update(bytes).digest();
  return {
    cid: CID.create(1, raw.code, Digest.create(sha256.code, digest)).toString(),
    sha256: `0x${digest.toString("hex")}`,
  };
}

/** The CID of bytes whose sha-256 `digest` is already known (a file hashed while it was streamed). */
export function cidForSha256(digest: Uint8Array): string {
  return CID.create(1, raw.code, Digest.create(sha256.code, digest)).toString();
}

/**
 * The sha-256 digest a CID commits to. Only CIDv1 + raw codec + sha2-256 are accepted (what {@link cidForBytes}
 * makes); anything else throws `INVALID_CID`.
 *
 * @example
 * cidToSha256("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"); // "0xe3b0c442…"
 */
export function cidToSha256(cid: string): Hex32 {
  let parsed: CID;
  try {
    parsed = CID.parse(cid);
  } catch (cause) {
    throw new ContentStoreError(
      "INVALID_CID",
      `${JSON.stringify(cid)} is not a CID`,
      "Pass a CID returned by put().",
      { cause },
    );
  }
  if (
    parsed.version !== 1 ||
    parsed.code !== raw.code ||
    parsed.multihash.code !== sha256.code ||
    parsed.multihash.size !== 32
  ) {
    throw new ContentStoreError(
      "INVALID_CID",
      `${cid} is not a CIDv1 raw sha2-256 address (version ${parsed.version}, codec 0x${parsed.code.toString(16)}, hash 0x${parsed.multihash.code.toString(16)})`,
      "This store addresses content by CIDv1, raw codec, sha2-256 only.",
    );
  }
  if (parsed.toString() !== cid) {
    throw new ContentStoreError(
      "INVALID_CID",
      `${cid} is not in canonical base32 form (${parsed.toString()})`,
      "Pass the CID exactly as put() returned it.",
    );
  }
  return `0x${Buffer.from(parsed.multihash.digest).toString("hex")}`;
}
