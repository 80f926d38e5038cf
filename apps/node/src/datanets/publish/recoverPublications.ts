import type { NodeContext } from "../../context/NodeContext.ts";
import { withNodeKey } from "./chainOf.ts";
import { completePublication, type Publication } from "./completePublication.ts";
import { VersionError } from "./errors.ts";

/** Return type of {@link recoverPublications}: what was finished and what could not be. */
export type RecoverPublicationsReturnType = {
  completed: Publication[];
  failed: { id: string; datanetId: bigint; error: VersionError }[];
};

/**
 * Finishes every publication a crash or a timeout left in flight (`planned`, `broadcast`, `mined`), oldest
 * first: mined transactions are recorded, unmined ones rebroadcast unchanged, and each version's index is
 * registered in `version_indexes`. Call it on startup, before serving; it never publishes a version twice
 * (see `completePublication`). One failure does not stop the others; it is returned.
 *
 * @example
 * const { completed, failed } = await recoverPublications(ctx);
 */
export async function recoverPublications(ctx: NodeContext): Promise<RecoverPublicationsReturnType> {
  const rows = await ctx.db
    .selectFrom("publications")
    .selectAll()
    .where("state", "in", ["planned", "broadcast", "mined"])
    .orderBy("created_at")
    .execute();
  const result: RecoverPublicationsReturnType = { completed: [], failed: [] };
  for (const row of rows) {
    try {
      result.completed.push(await withNodeKey(ctx, () => completePublication(ctx, { publication: row })));
    } catch (error) {
      const wrapped =
        error instanceof VersionError
          ? error
          : new VersionError("RPC_ERROR", (error as Error).message, "Retry recovery later.", {
              cause: error,
            });
      ctx.log("error", `publication ${row.id} could not be finished: ${wrapped.message}`, {
        hint: wrapped.hint,
      });
      result.failed.push({ id: row.id, datanetId: BigInt(row.datanet_id), error: wrapped });
    }
  }
  return result;
}
