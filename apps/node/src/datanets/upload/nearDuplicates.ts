import {
  createLshIndex,
  createMinHasher,
  type LshIndex,
  type MinHasher,
  signatureFromBytes,
  signatureToBytes,
} from "@tributary/core";
import type { Kysely } from "kysely";
import type { Hex } from "viem";
import type { Database } from "../../db/schema.ts";

/** A near-duplicate flag: a registered contribution (this datanet or another) whose text is similar. */
export type NearDuplicateFlag = {
  contributionId: string;
  datanetId: string;
  contentHash: Hex;
  /** Estimated Jaccard similarity of the word shingles (MinHash, 128 hashes), 0..1. */
  similarity: number;
};

/** The node's MinHash/LSH index over the signatures in `minhash_signatures`. */
export type NearDuplicateIndex = {
  readonly hasher: MinHasher;
  /** Adds signatures (already stored in the table) to the in-memory index. */
  add(entries: readonly { datanetId: bigint; contentHash: Hex; signature: Uint32Array }[]): Promise<void>;
  /** Drops entries from the in-memory index. */
  remove(entries: readonly { datanetId: bigint; contentHash: Hex }[]): Promise<void>;
  /**
   * Registered contributions, in any datanet, whose similarity to `signature` is at least `threshold`, most
   * similar first. `before` keeps only contributions with a smaller id (earlier ones).
   */
  find(
    signature: Uint32Array,
    threshold: number,
    options?: { before?: bigint },
  ): Promise<NearDuplicateFlag[]>;
};

const keyOf = (datanetId: bigint | number, contentHash: string) =>
  `${datanetId}:${contentHash.toLowerCase()}`;

/**
 * The near-duplicate index: an LSH index (16 bands × 8 rows) loaded lazily from `minhash_signatures` and kept
 * in step as uploads are staged. Signatures of staged but unregistered documents are in it too; `find` reports
 * only matches that are registered contributions (the `contributions` projection).
 *
 * @example
 * const index = createNearDuplicateIndex(db);
 * await index.find(index.hasher.signature(text), 0.8); // [{ contributionId: "3", similarity: 0.91, … }]
 */
export function createNearDuplicateIndex(db: Kysely<Database>): NearDuplicateIndex {
  const hasher = createMinHasher();
  let lsh: LshIndex | undefined;
  let loading: Promise<LshIndex> | undefined;

  const load = async (): Promise<LshIndex> => {
    if (lsh) return lsh;
    loading ??= (async () => {
      const index = createLshIndex();
      const rows = await db.selectFrom("minhash_signatures").selectAll().execute();
      for (const r of rows) index.add(keyOf(r.datanet_id, r.content_hash), signatureFromBytes(r.signature));
      lsh = index;
      return index;
    })();
    return await loading;
  };

  return {
    hasher,
    async add(entries) {
      const index = await load();
      for (const e of entries) index.add(keyOf(e.datanetId, e.contentHash), e.signature);
    },
    async remove(entries) {
      const index = await load();
      for (const e of entries) index.remove(keyOf(e.datanetId, e.contentHash));
    },
    async find(signature, threshold, options = {}) {
      const index = await load();
      const out: NearDuplicateFlag[] = [];
      for (const hit of index.findNearDuplicates(signature, threshold)) {
        const [datanetId, contentHash] = hit.id.split(":") as [string, string];
        const row = await db
          .selectFrom("contributions")
          .select(["id", "datanet_id", "content_hash"])
          .where("datanet_id", "=", Number(datanetId))
          .where("content_hash", "=", contentHash)
          .orderBy("id")
          .executeTakeFirst();
        if (!row) continue;
        if (options.before !== undefined && BigInt(row.id) >= options.before) continue;
        out.push({
          contributionId: String(row.id),
          datanetId: String(row.datanet_id),
          contentHash: row.content_hash as Hex,
          similarity: hit.similarity,
        });
      }
      return out;
    },
  };
}

/** The bytes stored in `minhash_signatures.signature`. */
export const signatureBytes = signatureToBytes;
