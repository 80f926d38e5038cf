import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { DatanetError } from "./errors.ts";

/** A quota over the window: documents relayed and gas reserved for them. */
export type RelayQuotaLimit = { documents: number; gas: bigint };

/** Relay quotas of the node (every field has a default, see {@link resolveRelayQuotaOptions}). */
export type RelayQuotaOptions = {
  /** Sliding window, in seconds (default 24 h). */
  windowSeconds?: number | undefined;
  /** Per contributor address, all datanets together (default 200 documents, 15M gas). */
  perContributor?: { documents?: number | undefined; gas?: bigint | undefined } | undefined;
  /** Per datanet, all contributors together (default 2,000 documents, 150M gas). */
  perDatanet?: { documents?: number | undefined; gas?: bigint | undefined } | undefined;
  /** Gas reserved per relayed document (default 60,000; measured: 52,215 per hash in a batch of 100). */
  gasPerDocument?: bigint | undefined;
  /** Gas reserved per relayed transaction on top of its documents (default 120,000). */
  gasPerBatch?: bigint | undefined;
};

/** {@link RelayQuotaOptions} with the defaults filled in. */
export type ResolvedRelayQuotaOptions = {
  windowSeconds: number;
  perContributor: RelayQuotaLimit;
  perDatanet: RelayQuotaLimit;
  gasPerDocument: bigint;
  gasPerBatch: bigint;
};

/**
 * Fills in the defaults of {@link RelayQuotaOptions}. Per contributor alone is no bound (a new key costs nothing),
 * so the per-datanet quota is what caps the gas an unauthenticated caller can make the node spend on one datanet.
 *
 * @example
 * resolveRelayQuotaOptions({}).perContributor.documents; // 200
 */
export function resolveRelayQuotaOptions(options: RelayQuotaOptions = {}): ResolvedRelayQuotaOptions {
  return {
    windowSeconds: options.windowSeconds ?? 86_400,
    perContributor: {
      documents: options.perContributor?.documents ?? 200,
      gas: options.perContributor?.gas ?? 15_000_000n,
    },
    perDatanet: {
      documents: options.perDatanet?.documents ?? 2_000,
      gas: options.perDatanet?.gas ?? 150_000_000n,
    },
    gasPerDocument: options.gasPerDocument ?? 60_000n,
    gasPerBatch: options.gasPerBatch ?? 120_000n,
  };
}

/** Parameters of {@link chargeRelayQuota}. */
export type ChargeRelayQuotaParameters = {
  datanetId: bigint;
  /** Any case; stored lowercase. */
  contributor: string;
  documents: number;
  batches: number;
  /** Unix seconds. */
  now: number;
  /** The upload charged; omit to only check (staging). */
  uploadId?: string;
};

/**
 * Checks the relay quotas of the contributor and the datanet over the sliding window and, when `uploadId` is given,
 * charges the request to both (one row of `relay_usage`, in the same database transaction as the check, so two
 * concurrent submissions cannot both squeeze under a limit). The ledger is in the database: a restart does not
 * reset it. Over a quota: 429 `RELAY_QUOTA_EXCEEDED` with `Retry-After` (when enough of the window's usage expires)
 * and a hint to contribute from one's own wallet; nothing is charged then.
 *
 * @example
 * await chargeRelayQuota(db, quota, { datanetId: 1n, contributor, documents: 3, batches: 1, now, uploadId });
 */
export async function chargeRelayQuota(
  db: Kysely<Database>,
  quota: ResolvedRelayQuotaOptions,
  params: ChargeRelayQuotaParameters,
): Promise<{ gas: bigint }> {
  const contributor = params.contributor.toLowerCase();
  const gas = quota.gasPerDocument * BigInt(params.documents) + quota.gasPerBatch * BigInt(params.batches);
  const since = params.now - quota.windowSeconds;
  await db.transaction().execute(async (trx) => {
    const scopes = [
      {
        name: `contributor ${contributor}`,
        limit: quota.perContributor,
        rows: await trx
          .selectFrom("relay_usage")
          .select(["documents", "gas", "at"])
          .where("contributor", "=", contributor)
          .where("at", ">", since)
          .orderBy("at")
          .execute(),
      },
      {
        name: `datanet ${params.datanetId}`,
        limit: quota.perDatanet,
        rows: await trx
          .selectFrom("relay_usage")
          .select(["documents", "gas", "at"])
          .where("datanet_id", "=", Number(params.datanetId))
          .where("at", ">", since)
          .orderBy("at")
          .execute(),
      },
    ];
    for (const scope of scopes) {
      let docs = scope.rows.reduce((n, r) => n + r.documents, 0);
      let used = scope.rows.reduce((n, r) => n + BigInt(r.gas), 0n);
      const fits = () => docs + params.documents <= scope.limit.documents && used + gas <= scope.limit.gas;
      if (fits()) continue;
      // When enough of the window's usage has expired for this request to fit (never, if it is larger than the quota).
      let retryAfter = quota.windowSeconds;
      const tooLarge = params.documents > scope.limit.documents || gas > scope.limit.gas;
      if (!tooLarge)
        for (const r of scope.rows) {
          docs -= r.documents;
          used -= BigInt(r.gas);
          if (fits()) {
            retryAfter = Math.max(1, r.at + quota.windowSeconds - params.now);
            break;
          }
        }
      const hours = quota.windowSeconds / 3600;
      throw new DatanetError(
        429,
        "RELAY_QUOTA_EXCEEDED",
        `relaying ${params.documents} document(s) (${gas} gas reserved) would exceed the relay quota of ${scope.name}: ${scope.limit.documents} documents and ${scope.limit.gas} gas per ${hours} h, ${docs} documents and ${used} gas already used`,
        tooLarge
          ? `This upload is larger than the quota: split it, or contribute from your own wallet and pay the gas yourself (tributary datanet contribute --self-pay, or stage with mode "direct" and send contributeBatch).`
          : `Contribute from your own wallet and pay the gas yourself (tributary datanet contribute --self-pay, or stage with mode "direct" and send contributeBatch), or retry in ${retryAfter} s (Retry-After).`,
        {
          headers: { "Retry-After": String(retryAfter) },
          details: { scope: scope.name, retryAfterSeconds: retryAfter },
          retryable: !tooLarge,
        },
      );
    }
    if (params.uploadId !== undefined)
      await trx
        .insertInto("relay_usage")
        .values({
          upload_id: params.uploadId,
          datanet_id: Number(params.datanetId),
          contributor,
          documents: params.documents,
          gas: gas.toString(),
          at: params.now,
        })
        .execute();
  });
  return { gas };
}

/**
 * Refuses a relayed upload to a datanet whose curator node turned relaying off: 403 `RELAY_DISABLED`, with the hint
 * to contribute from one's own wallet. Checked before anything is staged or sent.
 *
 * @example
 * assertRelayEnabled(settings, 1n);
 */
export function assertRelayEnabled(settings: { relayEnabled: boolean }, datanetId: bigint): void {
  if (!settings.relayEnabled)
    throw new DatanetError(
      403,
      "RELAY_DISABLED",
      `this node does not relay uploads to datanet ${datanetId}: its curator turned relaying off`,
      `Contribute from your own wallet and pay the gas yourself: tributary datanet contribute --self-pay, or stage with mode "direct" (POST /v1/datanets/${datanetId}/uploads) and send contributeBatch (SDK).`,
    );
}
