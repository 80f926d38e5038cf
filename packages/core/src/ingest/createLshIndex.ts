import { invalidParameter } from "./errors.ts";
import { estimateJaccard } from "./estimateJaccard.ts";

/** Parameters of {@link createLshIndex}: `bands × rows` signature positions are used. */
export type LshParameters = { bands: number; rows: number };

/** Recommended LSH parameters for 128-hash signatures: candidate threshold ≈ (1/16)^(1/8) ≈ 0.71. */
export const defaultLshParameters: LshParameters = { bands: 16, rows: 8 };

/** A near-duplicate found by {@link LshIndex.findNearDuplicates}. */
export type NearDuplicate = { id: string; similarity: number };

/** An in-memory LSH index over MinHash signatures; see {@link createLshIndex}. */
export type LshIndex = {
  readonly bands: number;
  readonly rows: number;
  /** Number of signatures held. */
  readonly size: number;
  /** Adds (or replaces) the signature of `id`. */
  add(id: string, signature: Uint32Array): void;
  /** Removes `id`; returns whether it was there. */
  remove(id: string): boolean;
  has(id: string): boolean;
  /** Ids that share at least one band with `signature` (candidates, unverified), sorted. */
  query(signature: Uint32Array): string[];
  /**
   * Candidates whose estimated Jaccard similarity is at least `threshold`, most similar first (ties by id).
   */
  findNearDuplicates(signature: Uint32Array, threshold: number): NearDuplicate[];
};

/**
 * The probability that LSH makes two documents of Jaccard similarity `s` candidates: `1 − (1 − s^rows)^bands`.
 *
 * @example
 * lshCandidateProbability(0.9, { bands: 16, rows: 8 }); // ≈ 0.9999
 */
export function lshCandidateProbability(s: number, p: LshParameters): number {
  return 1 - (1 - s ** p.rows) ** p.bands;
}

/** A 53-bit key of one band: two independent 32-bit mixes (a collision only adds a candidate, never hides one). */
function bandKey(sig: Uint32Array, band: number, rows: number): number {
  let h1 = 0x9747b28c ^ band;
  let h2 = 0x2545f491 ^ Math.imul(band, 0x27d4eb2d);
  for (let r = band * rows, end = r + rows; r < end; r++) {
    const v = sig[r]!;
    h1 = Math.imul(h1 ^ v, 0x01000193);
    h1 ^= h1 >>> 15;
    h2 = Math.imul(h2 + v, 0x85ebca6b);
    h2 ^= h2 >>> 13;
  }
  return (h1 >>> 0) * 0x200000 + (h2 >>> 11);
}

/**
 * Creates a MinHash LSH index (banding): the signature is cut into `bands` bands of `rows` values; two
 * documents are candidates when some band is identical. More rows per band: fewer false positives, more false
 * negatives (docs/ingest.md has the table). Deterministic: no randomness, sorted outputs.
 *
 * @example
 * const index = createLshIndex({ bands: 16, rows: 8 });
 * index.add("contribution-1", hasher.signature(text));
 * index.findNearDuplicates(hasher.signature(upload), 0.8); // [{ id: "contribution-1", similarity: 0.93 }]
 */
export function createLshIndex(parameters: LshParameters = defaultLshParameters): LshIndex {
  const { bands, rows } = parameters;
  if (!Number.isInteger(bands) || bands < 1 || !Number.isInteger(rows) || rows < 1) {
    invalidParameter(
      `bands and rows must be positive integers, got ${bands} and ${rows}`,
      "Use { bands: 16, rows: 8 } for 128 hashes.",
    );
  }
  const tables: Map<number, string[]>[] = Array.from({ length: bands }, () => new Map());
  const signatures = new Map<string, Uint32Array>();

  function check(signature: Uint32Array): void {
    if (signature.length < bands * rows) {
      invalidParameter(
        `a signature of ${signature.length} values is shorter than bands × rows = ${bands * rows}`,
        "Use a MinHasher with numHashes ≥ bands × rows.",
      );
    }
  }

  function remove(id: string): boolean {
    const old = signatures.get(id);
    if (old === undefined) return false;
    for (let band = 0; band < bands; band++) {
      const key = bandKey(old, band, rows);
      const bucket = tables[band]!.get(key)!;
      const rest = bucket.filter((x) => x !== id);
      if (rest.length === 0) tables[band]!.delete(key);
      else tables[band]!.set(key, rest);
    }
    signatures.delete(id);
    return true;
  }

  function add(id: string, signature: Uint32Array): void {
    check(signature);
    remove(id);
    const copy = signature.slice();
    signatures.set(id, copy);
    for (let band = 0; band < bands; band++) {
      const key = bandKey(copy, band, rows);
      const bucket = tables[band]!.get(key);
      if (bucket === undefined) tables[band]!.set(key, [id]);
      else bucket.push(id);
    }
  }

  function query(signature: Uint32Array): string[] {
    check(signature);
    const found = new Set<string>();
    for (let band = 0; band < bands; band++) {
      const bucket = tables[band]!.get(bandKey(signature, band, rows));
      if (bucket !== undefined) for (const id of bucket) found.add(id);
    }
    return [...found].sort();
  }

  function findNearDuplicates(signature: Uint32Array, threshold: number): NearDuplicate[] {
    if (!(threshold >= 0 && threshold <= 1))
      invalidParameter(`threshold must be in [0, 1], got ${threshold}`, "Use e.g. 0.8.");
    const out: NearDuplicate[] = [];
    for (const id of query(signature)) {
      const similarity = estimateJaccard(signature, signatures.get(id)!);
      if (similarity >= threshold) out.push({ id, similarity });
    }
    return out.sort((x, y) => y.similarity - x.similarity || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  }

  return {
    bands,
    rows,
    get size() {
      return signatures.size;
    },
    add,
    remove,
    has: (id) => signatures.has(id),
    query,
    findNearDuplicates,
  };
}
