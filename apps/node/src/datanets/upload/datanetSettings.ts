import type { Kysely } from "kysely";
import type { Database, DatanetSettingsRow } from "../../db/schema.ts";

/** Node-side settings of a datanet (the on-chain policy has no field for them). */
export type DatanetSettings = {
  /** `flag` (default): near-duplicates go to review with their flags; `refuse`: the upload is refused. */
  nearDuplicatePolicy: DatanetSettingsRow["near_duplicate_policy"];
  /** Similarity (0..1) from which a document counts as a near-duplicate. */
  nearDuplicateThreshold: number;
  /**
   * Whether the node relays signed uploads to this datanet, paying their gas (default true). Off: relayed uploads
   * are refused with 403 `RELAY_DISABLED` before anything is staged or sent; direct uploads still work.
   */
  relayEnabled: boolean;
};

/**
 * The settings of a datanet, or the defaults (`flag`, the node's threshold, relaying on) when none were set.
 *
 * @example
 * const { nearDuplicatePolicy } = await getDatanetSettings(db, 1n, 0.8);
 */
export async function getDatanetSettings(
  db: Kysely<Database>,
  datanetId: bigint,
  defaultThreshold: number,
): Promise<DatanetSettings> {
  const row = await db
    .selectFrom("datanet_settings")
    .selectAll()
    .where("datanet_id", "=", Number(datanetId))
    .executeTakeFirst();
  return {
    nearDuplicatePolicy: row?.near_duplicate_policy ?? "flag",
    nearDuplicateThreshold: row?.near_duplicate_threshold ?? defaultThreshold,
    relayEnabled: (row?.relay_enabled ?? 1) === 1,
  };
}

/**
 * Sets (upserts) the settings of a datanet. Authorization is the caller's business (the routes require the node
 * to be a curator of the datanet: these are the node operator's settings).
 *
 * @example
 * await setDatanetSettings(db, 1n, { nearDuplicatePolicy: "refuse", nearDuplicateThreshold: 0.85, relayEnabled: true });
 */
export async function setDatanetSettings(
  db: Kysely<Database>,
  datanetId: bigint,
  settings: DatanetSettings,
): Promise<void> {
  const values = {
    datanet_id: Number(datanetId),
    near_duplicate_policy: settings.nearDuplicatePolicy,
    near_duplicate_threshold: settings.nearDuplicateThreshold,
    relay_enabled: settings.relayEnabled ? 1 : 0,
    updated_at: new Date().toISOString(),
  };
  await db
    .insertInto("datanet_settings")
    .values(values)
    .onConflict((oc) =>
      oc.column("datanet_id").doUpdateSet({
        near_duplicate_policy: values.near_duplicate_policy,
        near_duplicate_threshold: values.near_duplicate_threshold,
        relay_enabled: values.relay_enabled,
        updated_at: values.updated_at,
      }),
    )
    .execute();
}
