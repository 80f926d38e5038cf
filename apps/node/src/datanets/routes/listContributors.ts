import type { nodeSchemas } from "@tributary/sdk";
import { sql } from "kysely";
import type { z } from "zod";
import type { NodeContext } from "../../context/NodeContext.ts";

/** Parameters of {@link listContributors}. */
export type ListContributorsParameters = {
  datanetId: bigint;
  /** Page size (1..500). */
  limit: number;
  /** `nextCursor` of the previous page: how many contributors come before this page. */
  cursor?: string | undefined;
};

/** Return type of {@link listContributors}. */
export type ListContributorsReturnType = z.infer<typeof nodeSchemas.ContributorPage>;

/**
 * The contributors of a datanet with their counts, aggregated in SQL over every indexed contribution (not
 * a page of them), most accepted first (then most contributions, then address), and the datanet's totals.
 * The cursor is the offset of the next page.
 *
 * @example
 * const page = await listContributors(ctx, { datanetId: 1n, limit: 50 });
 */
export async function listContributors(
  ctx: Pick<NodeContext, "db">,
  params: ListContributorsParameters,
): Promise<ListContributorsReturnType> {
  const datanetId = Number(params.datanetId);
  const offset = Number(params.cursor ?? 0);
  const count = (status: string | string[]) =>
    sql<number>`coalesce(sum(case when status in (${sql.join([status].flat())}) then 1 else 0 end), 0)`;
  const rows = await ctx.db
    .selectFrom("contributions")
    .select((eb) => [
      "contributor",
      eb.fn.countAll<number>().as("contributions"),
      count("Accepted").as("accepted"),
      count("Pending").as("pending"),
      count(["Rejected", "Slashed"]).as("rejected"),
      sql<number>`coalesce(sum(size), 0)`.as("bytes"),
    ])
    .where("datanet_id", "=", datanetId)
    .groupBy("contributor")
    .orderBy("accepted", "desc")
    .orderBy("contributions", "desc")
    .orderBy("contributor")
    .limit(params.limit + 1)
    .offset(offset)
    .execute();
  const totals = await ctx.db
    .selectFrom("contributions")
    .select((eb) => [
      sql<number>`count(distinct contributor)`.as("contributors"),
      eb.fn.countAll<number>().as("contributions"),
      count("Accepted").as("accepted"),
      sql<number>`coalesce(sum(size), 0)`.as("bytes"),
    ])
    .where("datanet_id", "=", datanetId)
    .executeTakeFirstOrThrow();
  return {
    items: rows.slice(0, params.limit).map((r) => ({
      contributor: r.contributor,
      contributions: Number(r.contributions),
      accepted: Number(r.accepted),
      pending: Number(r.pending),
      rejected: Number(r.rejected),
      bytes: Number(r.bytes),
    })),
    nextCursor: rows.length > params.limit ? String(offset + params.limit) : null,
    totals: {
      contributors: Number(totals.contributors),
      contributions: Number(totals.contributions),
      accepted: Number(totals.accepted),
      bytes: Number(totals.bytes),
    },
  };
}
