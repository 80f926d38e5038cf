import type { NodeContext } from "../../context/NodeContext.ts";
import type { Publication } from "./completePublication.ts";
import {
  type IndexedVersionOutcome,
  type IndexPublishedVersionsParameters,
  indexPublishedVersions,
} from "./indexPublishedVersions.ts";
import { type PublishVersionParameters, publishVersion } from "./publishVersion.ts";
import { type RecoverPublicationsReturnType, recoverPublications } from "./recoverPublications.ts";

/** The node's publishing service, bound to its context. */
export type PublishService = {
  /** Publishes the next version of a datanet (see `publishVersion`); one at a time per datanet. */
  publishVersion(
    datanetId: bigint,
    options?: Omit<PublishVersionParameters, "datanetId">,
  ): Promise<Publication>;
  /** Finishes publications a crash left in flight; call on startup. */
  recoverPublications(): Promise<RecoverPublicationsReturnType>;
  /** Builds indexes of versions published by others (the `onVersionPublished` path), best effort. */
  indexPublishedVersions(params?: IndexPublishedVersionsParameters): Promise<IndexedVersionOutcome[]>;
};

/**
 * Creates the publishing service of a node. Calls that touch the same datanet run one after another (an
 * in-process lock), so two HTTP requests cannot plan the same version twice; a publish waits for a recovery
 * that is running; across processes the `publications` table and the chain's version count keep it single.
 *
 * @example
 * const publisher = createPublishService(node.ctx);
 * await publisher.recoverPublications();
 * const { version, manifestURI } = await publisher.publishVersion(1n);
 */
export function createPublishService(ctx: NodeContext): PublishService {
  const tails = new Map<string, Promise<unknown>>();
  const serialized = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const previous = tails.get(key) ?? Promise.resolve();
    const next = previous.then(run, run);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return next;
  };
  let recovery: Promise<unknown> = Promise.resolve();
  return {
    publishVersion: (datanetId, options = {}) =>
      serialized(`datanet:${datanetId}`, async () => {
        await recovery.catch(() => undefined);
        return await publishVersion(ctx, { ...options, datanetId });
      }),
    recoverPublications: () => {
      const run = serialized("recover", () => recoverPublications(ctx));
      recovery = run;
      return run;
    },
    indexPublishedVersions: (params) => serialized("index", () => indexPublishedVersions(ctx, params)),
  };
}
