/** Token written after every document. It is outside every supported vocabulary, so no span crosses it. */
export const SEPARATOR_TOKEN = 0xffff;

/** Current index file format version (2: bit-packed suffix array; 1: Uint32 suffix array, no longer read). */
export const INDEX_FORMAT_VERSION = 2;

/** First 8 bytes of every index file. */
export const INDEX_MAGIC = Uint8Array.from([0x54, 0x52, 0x42, 0x49, 0x44, 0x58, 0x0d, 0x0a]); // "TRBIDX\r\n"

/** Fixed size of the index header in bytes. */
export const INDEX_HEADER_BYTES = 128;

/** Size of the trailing sha-256 checksum in bytes. */
export const INDEX_TRAILER_BYTES = 32;
