import type { ChainContext, NodeContext } from "../../context/NodeContext.ts";
import { sharedUploadState } from "../upload/uploadContext.ts";
import { VersionError } from "./errors.ts";

/**
 * The node's chain connection, or a `NO_CHAIN` error: publishing and reading versions need the chain.
 *
 * @example
 * const { sdk, indexer } = chainOf(ctx);
 */
export function chainOf(ctx: NodeContext): ChainContext {
  if (!ctx.chain) {
    throw new VersionError(
      "NO_CHAIN",
      "this node is not connected to a chain",
      "Start the node with a chain config (rpcUrl, deployment, account), e.g. `tributary up`.",
    );
  }
  return ctx.chain;
}

/**
 * Runs the indexer until its projection has every block up to the head seen when called, so that the
 * projection equals the chain for everything that happened before this call.
 *
 * @example
 * await catchUpIndexer(chainOf(ctx));
 */
export async function catchUpIndexer(chain: ChainContext): Promise<void> {
  const head = Number(await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  for (;;) {
    const step = await chain.indexer.syncOnce();
    if (step === undefined || (await chain.indexer.cursor()) >= head) return;
  }
}

/**
 * Runs `fn` holding the node key's lock, shared with the upload relayer and curation (`sharedUploadState`), so
 * transactions of this process signed with the node's key never compete for a nonce. Not reentrant.
 *
 * @example
 * await withNodeKey(ctx, () => completePublication(ctx, { publication: row }));
 */
export function withNodeKey<T>(ctx: NodeContext, fn: () => Promise<T>): Promise<T> {
  return sharedUploadState(ctx).nodeKeyLock.run(fn);
}
