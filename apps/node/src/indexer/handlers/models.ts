import type { Kysely, Transaction } from "kysely";
import type { Address } from "viem";
import type { Database, ModelTermsRow } from "../../db/schema.ts";
import type { IndexedLog, LogHandler } from "../types.ts";

type Pricing = { perCall: bigint; per1kOutputTokens: bigint; per1kInputTokens: bigint };
type Split = { ownerBps: number | bigint; dataBps: number | bigint };

/** The per-1k-input price of a logged Pricing; "0" for a log stored before the field existed. */
const inputPrice = (pricing: Pricing): string => (pricing.per1kInputTokens ?? 0n).toString();

/** Appends the model's terms after `log`: its previous terms (none for a registration) changed by `change`. */
async function append(
  trx: Transaction<Database>,
  log: IndexedLog,
  change: (
    previous: ModelTermsRow | undefined,
  ) => Omit<ModelTermsRow, "model_id" | "block_number" | "log_index"> | undefined,
): Promise<void> {
  const modelId = Number(log.args.modelId as bigint);
  const previous = await trx
    .selectFrom("model_terms")
    .selectAll()
    .where("model_id", "=", modelId)
    .where((eb) =>
      eb.or([
        eb("block_number", "<", log.blockNumber),
        eb.and([eb("block_number", "=", log.blockNumber), eb("log_index", "<", log.logIndex)]),
      ]),
    )
    .orderBy("block_number", "desc")
    .orderBy("log_index", "desc")
    .executeTakeFirst();
  const terms = change(previous);
  if (!terms) return;
  await trx
    .insertInto("model_terms")
    .values({ model_id: modelId, block_number: log.blockNumber, log_index: log.logIndex, ...terms })
    .onConflict((oc) => oc.columns(["model_id", "block_number", "log_index"]).doNothing())
    .execute();
}

const termsOf = (row: ModelTermsRow) => {
  const { model_id: _m, block_number: _b, log_index: _l, ...terms } = row;
  return terms;
};

/**
 * Projections of ModelRegistry's term events into `model_terms` (a history: one row per change, keyed by the
 * log's position, so replaying a log is harmless):
 *
 * - `ModelRegistered(modelId, owner, baseModel, pricing, split)`: the first terms (pricing: per call, per 1k
 *   output tokens, per 1k input tokens);
 * - `PricingUpdated(modelId, pricing)`, `SplitUpdated(modelId, split)`,
 *   `ModelOwnershipTransferred(modelId, previousOwner, newOwner)`, `ModelDeprecated(modelId)`: the previous
 *   terms with that change.
 */
export const modelHandlers: Record<string, LogHandler> = {
  ModelRegistered: (trx, log) =>
    append(trx, log, () => {
      const pricing = log.args.pricing as Pricing;
      const split = log.args.split as Split;
      return {
        owner: (log.args.owner as Address).toLowerCase(),
        per_call: pricing.perCall.toString(),
        per_1k_output_tokens: pricing.per1kOutputTokens.toString(),
        per_1k_input_tokens: inputPrice(pricing),
        owner_bps: Number(split.ownerBps),
        data_bps: Number(split.dataBps),
        deprecated: 0,
      };
    }),
  PricingUpdated: (trx, log) =>
    append(trx, log, (previous) => {
      const pricing = log.args.pricing as Pricing;
      return previous
        ? {
            ...termsOf(previous),
            per_call: pricing.perCall.toString(),
            per_1k_output_tokens: pricing.per1kOutputTokens.toString(),
            per_1k_input_tokens: inputPrice(pricing),
          }
        : undefined;
    }),
  SplitUpdated: (trx, log) =>
    append(trx, log, (previous) => {
      const split = log.args.split as Split;
      return previous
        ? { ...termsOf(previous), owner_bps: Number(split.ownerBps), data_bps: Number(split.dataBps) }
        : undefined;
    }),
  ModelOwnershipTransferred: (trx, log) =>
    append(trx, log, (previous) =>
      previous ? { ...termsOf(previous), owner: (log.args.newOwner as Address).toLowerCase() } : undefined,
    ),
  ModelDeprecated: (trx, log) =>
    append(trx, log, (previous) => (previous ? { ...termsOf(previous), deprecated: 1 } : undefined)),
};

/** A model's terms as the gateway and the verifier use them. */
export type ModelTerms = {
  owner: Address;
  pricing: Pricing;
  split: { ownerBps: number; dataBps: number };
  deprecated: boolean;
  /** Position of the event that set them. */
  blockNumber: number;
  logIndex: number;
};

const toTerms = (row: ModelTermsRow): ModelTerms => ({
  owner: row.owner as Address,
  pricing: {
    perCall: BigInt(row.per_call),
    per1kOutputTokens: BigInt(row.per_1k_output_tokens),
    per1kInputTokens: BigInt(row.per_1k_input_tokens),
  },
  split: { ownerBps: row.owner_bps, dataBps: row.data_bps },
  deprecated: row.deprecated === 1,
  blockNumber: row.block_number,
  logIndex: row.log_index,
});

/** Every terms change of a model, oldest first (empty until the indexer saw its registration). */
export async function modelTermsHistory(db: Kysely<Database>, modelId: bigint): Promise<ModelTerms[]> {
  if (modelId > BigInt(Number.MAX_SAFE_INTEGER)) return [];
  const rows = await db
    .selectFrom("model_terms")
    .selectAll()
    .where("model_id", "=", Number(modelId))
    .orderBy("block_number")
    .orderBy("log_index")
    .execute();
  return rows.map(toTerms);
}

/** The model's current terms, or undefined until the indexer saw its registration. */
export async function currentModelTerms(
  db: Kysely<Database>,
  modelId: bigint,
): Promise<ModelTerms | undefined> {
  if (modelId > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const row = await db
    .selectFrom("model_terms")
    .selectAll()
    .where("model_id", "=", Number(modelId))
    .orderBy("block_number", "desc")
    .orderBy("log_index", "desc")
    .executeTakeFirst();
  return row ? toTerms(row) : undefined;
}
