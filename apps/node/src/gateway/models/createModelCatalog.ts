import { getAddress } from "viem";
import { ApiError } from "../../api/ApiError.ts";
import type { ModelRow } from "../../db/schema.ts";
import { currentModelTerms, type ModelTerms } from "../../indexer/handlers/models.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import { toModel } from "./toModel.ts";
import type { GatewayModel } from "./types.ts";

const TERMS_TTL_MS = 1_000;

/** The models this node serves, cached by name and id, with their current on-chain terms. */
export type ModelCatalog = {
  /** Every stored model with its current terms (deprecated ones included), by on-chain id. */
  listModels(): Promise<GatewayModel[]>;
  /** A model to serve, by name (or decimal on-chain id); 404 `MODEL_NOT_FOUND`, 410 `MODEL_DEPRECATED`. */
  getModel(name: string): Promise<GatewayModel>;
  /** A model to describe, by name (or decimal on-chain id), deprecated or not; 404 `MODEL_NOT_FOUND`. */
  findModel(name: string): Promise<GatewayModel>;
  /** Stores a newly registered model and caches it. */
  insertModel(values: ModelRow): Promise<GatewayModel>;
};

/**
 * Creates the model catalog: rows of `models`, cached after the first read, and the terms on chain (pricing,
 * split, owner, deprecation) read from the indexer's `model_terms` at most once a second per model.
 *
 * @example
 * const models = createModelCatalog(deps);
 * const model = await models.getModel("whale-ig");
 */
export function createModelCatalog(deps: GatewayDeps): ModelCatalog {
  const { db, secrets, defaultLimits } = deps;
  const modelsByName = new Map<string, GatewayModel>();
  const termsCache = new Map<bigint, { terms: ModelTerms | undefined; at: number }>();

  function cacheModel(model: GatewayModel): GatewayModel {
    modelsByName.set(model.name, model);
    modelsByName.set(model.modelId.toString(), model);
    return model;
  }

  /** The model as this node stored it (name, kind, versions, upstream; terms as registered). */
  async function storedModel(name: string): Promise<GatewayModel> {
    const hit = modelsByName.get(name);
    if (hit) return hit;
    let query = db.selectFrom("models").selectAll();
    query = /^[0-9]{1,15}$/.test(name)
      ? query.where((eb) => eb.or([eb("name", "=", name), eb("model_id", "=", Number(name))]))
      : query.where("name", "=", name);
    const row = await query.executeTakeFirst();
    if (!row) {
      throw new ApiError(
        404,
        "MODEL_NOT_FOUND",
        `the model '${name}' does not exist`,
        "List the models this node serves with GET /v1/models.",
      );
    }
    return cacheModel(toModel(row, secrets, defaultLimits));
  }

  /**
   * The model with its current on-chain terms: pricing, split, owner and deprecation follow ModelRegistry
   * (`setPricing`, `setSplit`, `transferModelOwnership`, `deprecateModel`) as soon as the indexer has seen
   * them (read at most once a second per model). Before the indexer saw the registration, the registered terms.
   */
  async function withTerms(model: GatewayModel): Promise<GatewayModel> {
    const key = model.modelId;
    let hit = termsCache.get(key);
    if (!hit || Date.now() - hit.at >= TERMS_TTL_MS) {
      hit = { terms: await currentModelTerms(db, key), at: Date.now() };
      termsCache.set(key, hit);
    }
    const t = hit.terms;
    if (!t) return model;
    if (
      model.pricing.perCall === t.pricing.perCall &&
      model.pricing.per1kOutputTokens === t.pricing.per1kOutputTokens &&
      model.pricing.per1kInputTokens === t.pricing.per1kInputTokens &&
      model.split.ownerBps === t.split.ownerBps &&
      model.split.dataBps === t.split.dataBps &&
      model.owner.toLowerCase() === t.owner.toLowerCase() &&
      model.deprecated === t.deprecated
    )
      return model;
    return {
      ...model,
      pricing: t.pricing,
      split: t.split,
      owner: getAddress(t.owner),
      deprecated: t.deprecated,
    };
  }

  return {
    async listModels() {
      const rows = await db.selectFrom("models").selectAll().orderBy("model_id").execute();
      return Promise.all(rows.map((row) => withTerms(toModel(row, secrets, defaultLimits))));
    },

    async getModel(name) {
      const model = await storedModel(name);
      const current = await withTerms(model);
      if (current.deprecated) {
        throw new ApiError(
          410,
          "MODEL_DEPRECATED",
          `the model '${name}' (id ${model.modelId}) is deprecated on chain and no longer served`,
          "Call another model (GET /v1/models lists them; deprecated ones say so).",
        );
      }
      return current;
    },

    async findModel(name) {
      return withTerms(await storedModel(name));
    },

    async insertModel(values) {
      await db.insertInto("models").values(values).execute();
      return cacheModel(toModel(values, secrets, defaultLimits));
    },
  };
}
