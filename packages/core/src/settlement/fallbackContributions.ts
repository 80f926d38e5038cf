import type { AttributionIndex } from "../attribution/types.ts";
import type { FallbackContribution } from "./types.ts";

/**
 * The contributions of a datanet version's index with their token counts (documents without their
 * separators), ascending by id: who shares the data part of an output that nothing was attributed to
 * (pro rata by tokens). Gateway and verifier derive it from the same index, so they agree to the token.
 *
 * @example
 * splitFee({ ..., attribution: [], fallback: fallbackContributions(index) });
 */
export function fallbackContributions(
  ...indexes: readonly Pick<AttributionIndex, "docStarts" | "contributionIds" | "tokens">[]
): FallbackContribution[] {
  const tokens = new Map<bigint, number>();
  for (const index of indexes) {
    const n = index.docStarts.length;
    for (let d = 0; d < n; d++) {
      const start = index.docStarts[d] as number;
      const end = d + 1 < n ? (index.docStarts[d + 1] as number) : index.tokens.length;
      const id = index.contributionIds[d] as bigint;
      tokens.set(id, (tokens.get(id) ?? 0) + Math.max(0, end - start - 1));
    }
  }
  return [...tokens]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([contributionId, t]) => ({ contributionId, tokens: t }));
}
