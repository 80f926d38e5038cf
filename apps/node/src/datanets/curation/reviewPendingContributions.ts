import { isCurator, reviewContributions, type Verdict } from "@tributary/sdk";
import type { Hex } from "viem";
import type { NodeContext } from "../../context/NodeContext.ts";
import { chainError } from "../upload/chainErrors.ts";
import { DatanetError } from "../upload/errors.ts";
import { requireChain, sharedUploadState } from "../upload/uploadContext.ts";
import { originalsOf } from "./originalsOf.ts";

/** Parameters of {@link reviewPendingContributions}. */
export type ReviewPendingContributionsParameters = {
  datanetId: bigint;
  reviews: readonly { contributionId: bigint; verdict: Verdict }[];
  /** Verdicts per transaction (default 100). */
  batchSize?: number;
};

/** Return type of {@link reviewPendingContributions}: one entry per transaction sent. */
export type ReviewPendingContributionsReturnType = {
  transactions: { hash: Hex; accepted: bigint[]; rejected: bigint[]; slashed: bigint[] }[];
};

/**
 * Reviews pending contributions with the node's key, in batches of `batchSize` verdicts per `review` call. Only
 * when the node is a curator (or the owner) of the datanet: `NODE_NOT_CURATOR` (403) otherwise. Curators that
 * keep their own key call `review` on the contract directly (SDK `reviewContributions`); the indexer picks the
 * verdicts up either way. Checked first against the projection, so a batch with an unknown or already reviewed
 * contribution is refused (409 `NOT_REVIEWABLE`) before anything is sent.
 *
 * @example
 * await reviewPendingContributions(ctx, { datanetId: 1n, reviews: [{ contributionId: 7n, verdict: "accept" }] });
 */
export async function reviewPendingContributions(
  ctx: NodeContext,
  params: ReviewPendingContributionsParameters,
): Promise<ReviewPendingContributionsReturnType> {
  const chain = requireChain(ctx);
  if (params.reviews.length === 0)
    throw new DatanetError(
      400,
      "INVALID_REQUEST",
      "no reviews given",
      "Send at least one { contributionId, verdict }.",
    );
  const node = chain.walletClient.account.address;
  let curator: boolean;
  try {
    curator = await isCurator(chain.sdk, { datanetId: params.datanetId, account: node });
  } catch (e) {
    throw chainError(e, "DATANET_NOT_FOUND", `datanet ${params.datanetId}`);
  }
  if (!curator)
    throw new DatanetError(
      403,
      "NODE_NOT_CURATOR",
      `this node (${node}) is not a curator of datanet ${params.datanetId}`,
      "Have the datanet owner add the node as a curator, or review with your own key: call review on DatanetRegistry (SDK reviewContributions); the indexer picks it up.",
    );
  const ids = params.reviews.map((r) => Number(r.contributionId));
  const rows = await ctx.db
    .selectFrom("contributions")
    .select(["id", "datanet_id", "status", "stake", "content_hash"])
    .where("id", "in", ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const bad = params.reviews.filter((r) => {
    const row = byId.get(Number(r.contributionId));
    if (!row || row.datanet_id !== Number(params.datanetId)) return true;
    return !(row.status === "Pending" || (row.status === "Withdrawn" && row.stake !== "0"));
  });
  if (bad.length > 0)
    throw new DatanetError(
      409,
      "NOT_REVIEWABLE",
      `contribution(s) ${bad.map((r) => r.contributionId).join(", ")} are not pending in datanet ${params.datanetId} (as indexed)`,
      "List what awaits review with GET /v1/datanets/:id/curation; a contribution registered just now appears once indexed.",
      { details: { contributionIds: bad.map((r) => String(r.contributionId)) } },
    );
  // A copy (the same text under another address, e.g. a front-runner's) earns nothing: it may be rejected or
  // slashed, never accepted.
  const accepts = params.reviews
    .filter((r) => r.verdict === "accept")
    .map((r) => byId.get(Number(r.contributionId))!);
  const originals = await originalsOf(
    ctx.db,
    params.datanetId,
    accepts.map((r) => r.content_hash),
  );
  const copies = accepts.filter((r) => originals.get(r.content_hash.toLowerCase()) !== r.id);
  if (copies.length > 0)
    throw new DatanetError(
      409,
      "COPY_NOT_ACCEPTABLE",
      `contribution(s) ${copies.map((r) => `${r.id} (a copy of ${originals.get(r.content_hash.toLowerCase())})`).join(", ")} register text that counts under another contribution of datanet ${params.datanetId}`,
      "Reject (or reject and slash) the copy; the original is the registration whose contributor uploaded the text (copyOf in GET /v1/datanets/:id/curation).",
      { details: { contributionIds: copies.map((r) => String(r.id)) } },
    );
  const size = params.batchSize ?? 100;
  const out: ReviewPendingContributionsReturnType = { transactions: [] };
  const { nodeKeyLock } = sharedUploadState(ctx);
  for (let i = 0; i < params.reviews.length; i += size) {
    const reviews = params.reviews.slice(i, i + size);
    try {
      const r = await nodeKeyLock.run(() =>
        reviewContributions(chain.sdk, { datanetId: params.datanetId, reviews }),
      );
      out.transactions.push({ hash: r.hash, accepted: r.accepted, rejected: r.rejected, slashed: r.slashed });
    } catch (e) {
      throw chainError(e, "REVIEW_REVERTED", `review of datanet ${params.datanetId}`);
    }
  }
  return out;
}
