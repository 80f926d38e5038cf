import {
  type AttributionIndex,
  type FallbackContribution,
  fallbackContributions,
  TributaryError,
  unionIndex,
} from "@tributary/core";
import { concat, type Hex, keccak256 } from "viem";
import type { NodeContext } from "../context/NodeContext.ts";

/** A published datanet version a model was trained on. */
export type VersionRef = { readonly datanetId: bigint; readonly version: number | bigint };

/** The attribution index of a list of versions (one version's own index, or the union of several). */
export type VersionSetIndex = {
  /** `datanetId/version` of each version, comma-separated, in the model's order. */
  key: string;
  /** Each version's index id (sha-256 of its index file), in the same order. */
  indexIds: string[];
  index: AttributionIndex;
  /** What an output without attribution pays: every document of the set once, pro rata by tokens. */
  fallback: FallbackContribution[];
};

/** A version this node has no attribution index of. Callers turn it into their own error (HTTP, verifier). */
export class MissingVersionIndexError extends TributaryError {
  override name = "MissingVersionIndexError";
  constructor(
    readonly datanetId: bigint,
    readonly version: number,
  ) {
    super(`datanet ${datanetId} version ${version} has no attribution index on this node`, {
      code: "VERSION_INDEX_MISSING",
      hint: "Fetch the version's index from a peer (or rebuild it from the published version), then retry.",
    });
  }
}

/** Loads (and keeps) the attribution indexes of version lists. */
export type VersionSetIndexes = {
  /** The index ids of `versions`, in order; throws {@link MissingVersionIndexError}. */
  indexIds(versions: readonly VersionRef[]): Promise<string[]>;
  /** The set's index (see `unionIndex`) and fallback; throws {@link MissingVersionIndexError}. */
  load(versions: readonly VersionRef[]): Promise<VersionSetIndex>;
};

/** `datanetId/version,…` of a version list (the cache key, and how receipts list versions). */
export const versionSetKey = (versions: readonly VersionRef[]): string =>
  versions.map((v) => `${v.datanetId}/${v.version}`).join(",");

/**
 * The artifact hash a built-in ∞-gram model registers: its index's id for one version, and for several the
 * keccak-256 of their index ids (32 bytes each) concatenated in the model's order. Anyone holding the
 * versions' index files can recompute it.
 *
 * @example
 * infinigramArtifactHash(["ab…"]); // "0xab…"
 */
export function infinigramArtifactHash(indexIds: readonly string[]): Hex {
  if (indexIds.length === 1) return `0x${indexIds[0]}`;
  return keccak256(concat(indexIds.map((id) => `0x${id}` as Hex)));
}

/**
 * The indexes of version lists, as the gateway (serving a model) and the verifier (recomputing its receipts)
 * both need them: one version is its own index file; several are united by `unionIndex`, so both sides get
 * the same index and the same fallback. The last `cacheSize` sets are kept in memory.
 *
 * @example
 * const sets = createVersionSetIndexes(ctx);
 * const { index, fallback } = await sets.load([{ datanetId: 1n, version: 2 }, { datanetId: 4n, version: 1 }]);
 */
export function createVersionSetIndexes(
  ctx: Pick<NodeContext, "db" | "indexes">,
  options: { cacheSize?: number } = {},
): VersionSetIndexes {
  const cacheSize = options.cacheSize ?? 16;
  const cache = new Map<string, Promise<VersionSetIndex>>();

  async function indexIds(versions: readonly VersionRef[]): Promise<string[]> {
    const ids: string[] = [];
    for (const v of versions) {
      const version = Number(v.version);
      const row =
        v.datanetId <= BigInt(Number.MAX_SAFE_INTEGER)
          ? await ctx.db
              .selectFrom("version_indexes")
              .select("index_id")
              .where("datanet_id", "=", Number(v.datanetId))
              .where("version", "=", version)
              .executeTakeFirst()
          : undefined;
      if (!row) throw new MissingVersionIndexError(v.datanetId, version);
      ids.push(row.index_id);
    }
    return ids;
  }

  async function build(versions: readonly VersionRef[], key: string): Promise<VersionSetIndex> {
    const ids = await indexIds(versions);
    const indexes: AttributionIndex[] = [];
    for (const [i, id] of ids.entries()) {
      const index = await ctx.indexes.read(id);
      const v = versions[i] as VersionRef;
      if (!index) throw new MissingVersionIndexError(v.datanetId, Number(v.version));
      indexes.push(index);
    }
    const index = unionIndex(indexes);
    return { key, indexIds: ids, index, fallback: fallbackContributions(index) };
  }

  return {
    indexIds,
    load(versions) {
      const key = versionSetKey(versions);
      const hit = cache.get(key);
      if (hit) {
        cache.delete(key); // refresh its place in the LRU order
        cache.set(key, hit);
        return hit;
      }
      const loading = build(versions, key);
      cache.set(key, loading);
      loading.catch(() => cache.delete(key)); // a missing index may be published later
      while (cache.size > cacheSize) cache.delete(cache.keys().next().value as string);
      return loading;
    },
  };
}
