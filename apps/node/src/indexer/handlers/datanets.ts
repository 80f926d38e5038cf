import type { Address, Hex } from "viem";
import type { IndexedLog, LogHandler } from "../types.ts";

/** Contribution status names, by the value of `IDatanetRegistry.ContributionStatus`. */
export const contributionStatusNames = [
  "None",
  "Pending",
  "Accepted",
  "Rejected",
  "Slashed",
  "Withdrawn",
] as const;

type Policy = { curated: boolean; minStake: bigint; licenseId: Hex; refundStakeOnAccept: boolean };
const lower = (a: unknown) => (a as Address).toLowerCase();
const id = (v: unknown) => Number(v as bigint);
const arg = (log: IndexedLog, key: string) => log.args[key];

/**
 * Projections of DatanetRegistry events into `datanets`, `datanet_curators`, `contributions`,
 * `versions` and `payout_addresses`. Each handler sets absolute values taken from the event (never
 * increments), so replaying a log gives the same row.
 */
export const datanetHandlers: Record<string, LogHandler> = {
  DatanetCreated: async (trx, log) => {
    const policy = arg(log, "policy") as Policy;
    await trx
      .insertInto("datanets")
      .values({
        id: id(arg(log, "datanetId")),
        owner: lower(arg(log, "owner")),
        metadata_uri: arg(log, "metadataURI") as string,
        curated: policy.curated ? 1 : 0,
        min_stake: policy.minStake.toString(),
        license_id: policy.licenseId,
        refund_stake_on_accept: policy.refundStakeOnAccept ? 1 : 0,
        version_count: 0,
        created_block: log.blockNumber,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  },
  DatanetMetadataURIUpdated: async (trx, log) => {
    await trx
      .updateTable("datanets")
      .set({ metadata_uri: arg(log, "metadataURI") as string })
      .where("id", "=", id(arg(log, "datanetId")))
      .execute();
  },
  DatanetPolicyUpdated: async (trx, log) => {
    const policy = arg(log, "policy") as Policy;
    await trx
      .updateTable("datanets")
      .set({
        curated: policy.curated ? 1 : 0,
        min_stake: policy.minStake.toString(),
        license_id: policy.licenseId,
        refund_stake_on_accept: policy.refundStakeOnAccept ? 1 : 0,
      })
      .where("id", "=", id(arg(log, "datanetId")))
      .execute();
  },
  DatanetOwnershipTransferred: async (trx, log) => {
    await trx
      .updateTable("datanets")
      .set({ owner: lower(arg(log, "newOwner")) })
      .where("id", "=", id(arg(log, "datanetId")))
      .execute();
  },
  CuratorAdded: async (trx, log) => {
    await trx
      .insertInto("datanet_curators")
      .values({ datanet_id: id(arg(log, "datanetId")), curator: lower(arg(log, "curator")) })
      .onConflict((oc) => oc.doNothing())
      .execute();
  },
  CuratorRemoved: async (trx, log) => {
    await trx
      .deleteFrom("datanet_curators")
      .where("datanet_id", "=", id(arg(log, "datanetId")))
      .where("curator", "=", lower(arg(log, "curator")))
      .execute();
  },
  ContributionRegistered: async (trx, log) => {
    await trx
      .insertInto("contributions")
      .values({
        id: id(arg(log, "contributionId")),
        datanet_id: id(arg(log, "datanetId")),
        contributor: lower(arg(log, "contributor")),
        content_hash: (arg(log, "contentHash") as string).toLowerCase(),
        size: Number(arg(log, "size") as bigint),
        status: contributionStatusNames[Number(arg(log, "status"))] ?? "Unknown",
        stake: (arg(log, "stake") as bigint).toString(),
        metadata_uri: arg(log, "metadataURI") as string,
        registered_block: log.blockNumber,
        updated_block: log.blockNumber,
      })
      .onConflict((oc) => oc.column("id").doNothing())
      .execute();
  },
  ContributionAccepted: async (trx, log) => setStatus(trx, log, "Accepted"),
  ContributionRejected: async (trx, log) => setStatus(trx, log, arg(log, "slashed") ? "Slashed" : "Rejected"),
  ContributionWithdrawn: async (trx, log) => setStatus(trx, log, "Withdrawn"),
  StakeReturned: async (trx, log) => setStake(trx, log),
  StakeSlashed: async (trx, log) => setStake(trx, log),
  VersionPublished: async (trx, log) => {
    const datanetId = id(arg(log, "datanetId"));
    const version = Number(arg(log, "version") as bigint);
    await trx
      .insertInto("versions")
      .values({
        datanet_id: datanetId,
        version,
        contributions_root: (arg(log, "contributionsRoot") as string).toLowerCase(),
        count: Number(arg(log, "count") as bigint),
        manifest_uri: arg(log, "manifestURI") as string,
        published_block: log.blockNumber,
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await trx.updateTable("datanets").set({ version_count: version }).where("id", "=", datanetId).execute();
  },
  PayoutAddressSet: async (trx, log) => {
    const contributor = lower(arg(log, "contributor"));
    await trx
      .insertInto("payout_addresses")
      .values({ contributor, payout: lower(arg(log, "payout")) })
      .onConflict((oc) => oc.column("contributor").doUpdateSet({ payout: lower(arg(log, "payout")) }))
      .execute();
  },
};

async function setStatus(trx: Parameters<LogHandler>[0], log: IndexedLog, status: string) {
  await trx
    .updateTable("contributions")
    .set({ status, updated_block: log.blockNumber })
    .where("id", "=", id(arg(log, "contributionId")))
    .execute();
}

/** Stake events mean the escrow for the contribution is now empty (returned or slashed in full). */
async function setStake(trx: Parameters<LogHandler>[0], log: IndexedLog) {
  await trx
    .updateTable("contributions")
    .set({ stake: "0", updated_block: log.blockNumber })
    .where("id", "=", id(arg(log, "contributionId")))
    .execute();
}
