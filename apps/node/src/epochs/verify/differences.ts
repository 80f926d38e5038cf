import type { EpochDifference } from "@tributary/core";

/** The differences one verification collects, at most `max` of them (the rest only mark it truncated). */
export type Differences = {
  add(d: EpochDifference): void;
  readonly list: EpochDifference[];
  readonly truncated: boolean;
  markTruncated(): void;
};

/**
 * A collector of differences bounded by `max`, shared by every step of a verification.
 *
 * @example
 * const differences = createDifferences(1000);
 * differences.add({ field: "header.epoch", expected: "3", actual: "4" });
 */
export function createDifferences(max: number): Differences {
  const list: EpochDifference[] = [];
  let truncated = false;
  return {
    add(d) {
      if (list.length < max) list.push(d);
      else truncated = true;
    },
    list,
    get truncated() {
      return truncated;
    },
    markTruncated() {
      truncated = true;
    },
  };
}
