import type { Receipt } from "@tributary/core";
import {
  createVersionSetIndexes,
  MissingVersionIndexError,
  type VersionSetIndex,
} from "../../attribution/versionSetIndexes.ts";
import type { NodeContext } from "../../context/NodeContext.ts";
import { VerifyInputError } from "./errors.ts";

/**
 * The index of a receipt's datanet versions, fetched once per missing version with `fetchVersion` (from other
 * nodes, checked against the chain) when this node lacks it.
 *
 * @throws {VerifyInputError} when a version's index is missing and could not be fetched.
 */
export function createVersionSetLoader(
  ctx: NodeContext,
  fetchVersion: ((datanetId: bigint, version: number) => Promise<unknown>) | undefined,
): (receipt: Receipt) => Promise<VersionSetIndex> {
  const versionSets = createVersionSetIndexes(ctx, { cacheSize: 4 });
  const fetched = new Map<string, string>(); // version → why it could not be fetched ("" when it was)
  return async (receipt) => {
    for (;;) {
      try {
        return await versionSets.load(receipt.datanetVersions);
      } catch (error) {
        if (!(error instanceof MissingVersionIndexError)) throw error;
        const key = `${error.datanetId}/${error.version}`;
        if (fetchVersion && !fetched.has(key)) {
          try {
            await fetchVersion(error.datanetId, error.version);
            fetched.set(key, "");
          } catch (failure) {
            fetched.set(key, failure instanceof Error ? failure.message : String(failure));
          }
          continue;
        }
        const why = fetched.get(key);
        throw new VerifyInputError(
          `this node has no index of datanet ${error.datanetId} version ${error.version}${why ? ` (${why})` : ""}`,
          "Index the published version on this node (publish through it, or rebuild it from the version's export), or pass the URL of a node that has it (nodeURL), then verify again.",
        );
      }
    }
  };
}
