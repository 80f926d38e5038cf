import { JSON_LIMITS, type OutboundLimits } from "./fetchLimited.ts";
import type { LineLimits } from "./lineGuard.ts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** Limits of downloading an epoch bundle from a peer, and of reading one (CPU a crafted bundle can cost). */
export type BundleLimits = OutboundLimits & LineLimits;

/** Outbound limits of a node (`NodeConfig.outbound`); each field overrides the defaults it names. */
export type OutboundConfig = {
  /** Bundles (`GET <peer>/v1/bundles/:cid`). Default: 4 GiB, 64 MiB lines, 20 M lines, 1 h total. */
  bundle?: Partial<BundleLimits>;
  /** A version's manifest (`export?file=manifest.json`). Default: 16 MiB, 60 s. */
  manifest?: Partial<OutboundLimits>;
  /** A version's texts (`export?file=data.jsonl`), read line by line. Default: 4 GiB, 64 MiB lines, 30 min. */
  versionData?: Partial<OutboundLimits & LineLimits>;
  /** Model upstreams (`/chat/completions`, `/completions`). Default: 16 MiB, 120 s to answer, 10 min total. */
  upstream?: Partial<OutboundLimits>;
};

/** The default outbound limits (see {@link OutboundConfig}). */
export const DEFAULT_OUTBOUND = {
  bundle: {
    headersTimeoutMs: 15_000,
    idleTimeoutMs: 30_000,
    totalTimeoutMs: 60 * 60_000,
    maxBytes: 4 * GiB,
    maxLineBytes: 64 * MiB,
    maxLines: 20_000_000,
  },
  manifest: { ...JSON_LIMITS, totalTimeoutMs: 60_000, maxBytes: 16 * MiB },
  versionData: {
    headersTimeoutMs: 15_000,
    idleTimeoutMs: 30_000,
    totalTimeoutMs: 30 * 60_000,
    maxBytes: 4 * GiB,
    maxLineBytes: 64 * MiB,
    maxLines: 20_000_000,
  },
  upstream: {
    headersTimeoutMs: 120_000,
    idleTimeoutMs: 120_000,
    totalTimeoutMs: 10 * 60_000,
    maxBytes: 16 * MiB,
  },
} satisfies Required<{ [K in keyof OutboundConfig]: Required<NonNullable<OutboundConfig[K]>> }>;

/** The limits of `kind` for a node configured with `config` (defaults where it says nothing). */
export function outboundLimits<K extends keyof OutboundConfig>(
  config: OutboundConfig | undefined,
  kind: K,
): (typeof DEFAULT_OUTBOUND)[K] {
  return { ...DEFAULT_OUTBOUND[kind], ...(config?.[kind] ?? {}) } as (typeof DEFAULT_OUTBOUND)[K];
}
