import { sha256 } from "@noble/hashes/sha2";
import { bytesToHex } from "@noble/hashes/utils";

/** A 32-byte value as 0x-prefixed lowercase hex, the way the contracts take `bytes32`. */
export type Bytes32 = `0x${string}`;

const encoder = new TextEncoder();

/**
 * The content hash of a document: sha-256 of the UTF-8 bytes of its **normalized** text (see
 * {@link normalizeText}), as a `bytes32`. This is the id registered on chain and the exact-duplicate check:
 * two documents are exact duplicates when their content hashes are equal. It hashes what it is given; pass
 * `normalizeText(text)` (extracted documents already are).
 *
 * @example
 * contentHash(normalizeText("hello\r\n")); // "0x2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
 */
export function contentHash(normalized: string): Bytes32 {
  return `0x${bytesToHex(sha256(encoder.encode(normalized)))}`;
}
