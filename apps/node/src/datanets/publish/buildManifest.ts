import { canonicalJson, contributionLeafTypes } from "@tributary/core";
import { type Address, getAddress, type Hex, hexToString } from "viem";

/** Identifies the manifest format; bumped on any incompatible change. */
export const MANIFEST_SCHEMA = "tributary.datanet-version/1";

/** One contribution of a published version, as the manifest lists it. */
export type ManifestContribution = {
  /** On-chain contribution id (decimal string: ids are uint256). */
  id: string;
  /** sha-256 of the normalized text's UTF-8 bytes, as registered on chain. */
  contentHash: Hex;
  /** Where the text is: CIDv1 raw sha2-256 of the same bytes (so `contentHash` is its digest). */
  cid: string;
  /** Who registered it (checksummed). */
  contributor: Address;
  /** Where its rewards are paid (the contributor unless it set a payout address). */
  payout: Address;
  /** Bytes of the text (UTF-8). */
  size: number;
  /** Tokens of the text with the manifest's tokenizer. */
  tokens: number;
};

/**
 * The provenance manifest of a datanet version: everything needed to re-derive its on-chain root and its
 * attribution index from the listed blobs, and what a training script carries into the model registration.
 * Serialized with `canonicalJson` (sorted keys, no whitespace), so the same version always gives the same
 * bytes and the same CID.
 */
export type VersionManifest = {
  schema: typeof MANIFEST_SCHEMA;
  chainId: number;
  datanetRegistry: Address;
  datanetId: string;
  /** The version number the publisher planned (the `VersionPublished` event is authoritative). */
  version: number;
  contributionsRoot: Hex;
  count: number;
  /** The leaf encoding of the root: `(uint256 id, bytes32 contentHash, address contributor)`, ascending id. */
  leafEncoding: readonly string[];
  tokenizer: string;
  /** The datanet's license id (bytes32, an SPDX identifier right-padded with zeros). */
  licenseId: Hex;
  /** The SPDX identifier decoded from `licenseId`, or null when it is not printable ASCII. */
  license: string | null;
  /** The attribution index of the version: content address (sha-256 hex) and size. */
  index: { id: string; formatVersion: number; tokens: number };
  totals: { bytes: number; tokens: number; contributors: number };
  /** Ascending by id. */
  contributions: ManifestContribution[];
};

/** Parameters of {@link buildManifest}. */
export type BuildManifestParameters = Omit<
  VersionManifest,
  "schema" | "leafEncoding" | "license" | "totals" | "contributions"
> & { contributions: readonly ManifestContribution[] };

/** Return type of {@link buildManifest}. */
export type BuildManifestReturnType = { manifest: VersionManifest; bytes: Uint8Array };

/**
 * Builds a version manifest and its canonical bytes. Contributions are sorted by id, addresses checksummed and
 * totals computed, so equal inputs give byte-identical manifests (a re-put after a crash is the same blob).
 *
 * @example
 * const { bytes } = buildManifest({ chainId, datanetRegistry, datanetId: "1", version: 1, contributionsRoot,
 *   count: 2, tokenizer: "r50k_base", licenseId, index: { id, formatVersion: 2, tokens }, contributions });
 * const { cid } = await store.put(bytes);
 */
export function buildManifest(params: BuildManifestParameters): BuildManifestReturnType {
  const contributions = [...params.contributions]
    .map((c) => ({ ...c, contributor: getAddress(c.contributor), payout: getAddress(c.payout) }))
    .sort((a, b) => {
      const x = BigInt(a.id);
      const y = BigInt(b.id);
      return x < y ? -1 : x > y ? 1 : 0;
    });
  const manifest: VersionManifest = {
    schema: MANIFEST_SCHEMA,
    chainId: params.chainId,
    datanetRegistry: getAddress(params.datanetRegistry),
    datanetId: params.datanetId,
    version: params.version,
    contributionsRoot: params.contributionsRoot,
    count: params.count,
    leafEncoding: [...contributionLeafTypes],
    tokenizer: params.tokenizer,
    licenseId: params.licenseId,
    license: decodeLicense(params.licenseId),
    index: params.index,
    totals: {
      bytes: contributions.reduce((n, c) => n + c.size, 0),
      tokens: contributions.reduce((n, c) => n + c.tokens, 0),
      contributors: new Set(contributions.map((c) => c.contributor)).size,
    },
    contributions,
  };
  return { manifest, bytes: new TextEncoder().encode(canonicalJson(manifest)) };
}

/** The SPDX id in a bytes32 license id, or null (zero, or not printable ASCII). */
function decodeLicense(licenseId: Hex): string | null {
  const hex = licenseId.slice(2).replace(/(00)+$/, "");
  if (hex.length === 0) return null;
  const text = hexToString(`0x${hex}`);
  return /^[\x21-\x7e]+$/.test(text) ? text : null;
}
