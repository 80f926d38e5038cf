import { registryHints } from "./registries.ts";
import { settlementHints } from "./settlement.ts";

/** A hint for a custom error, given its decoded arguments. */
export type RevertHint = (args: readonly unknown[]) => string;

/**
 * What to do for each custom error of the contracts, keyed by error name. Each domain keeps its own
 * file; this merges them.
 */
export const revertHints: Record<string, RevertHint> = { ...registryHints, ...settlementHints };
