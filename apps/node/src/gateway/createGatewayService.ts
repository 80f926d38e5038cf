import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  type AttributionIndex,
  type ContributionPayout,
  canonicalReceiptBytes,
  computePrice,
  createInfiniGram,
  type FallbackContribution,
  type InfiniGram,
  type InfiniGramGeneration,
  maxCharge,
  type Pricing,
  type Receipt,
  type ReceiptSigner,
  receiptHash,
  type Split,
  signReceipt,
  splitFee,
} from "@tributary/core";
import {
  getDeposited,
  getProtocolFeeBps,
  getSettlementTreasury,
  getWithdrawalRequestedAt,
  getWithdrawn,
  registerModel,
} from "@tributary/sdk";
import type { Address, Hex } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import type { ModelRow } from "../db/schema.ts";

/** Prefix of every plaintext API key. */
export const API_KEY_PREFIX = "trib_";

/** A model the gateway serves, as stored. */
export type GatewayModel = {
  modelId: bigint;
  name: string;
  kind: "infinigram";
  datanetId: bigint;
  version: number;
  indexId: string;
  pricing: Pricing;
  split: Split;
  owner: Address;
  createdAt: string;
};

/** Parameters of `registerInfinigramModel`. */
export type RegisterInfinigramModelParameters = {
  datanetId: bigint;
  version: number;
  pricing: Pricing;
  split: Split;
  /** Name clients pass as `model` (unique on this node). */
  name: string;
  /** Model card URI; defaults to `tributary://infinigram/<datanetId>/<version>`. */
  metadataURI?: string;
};

/** Sampling parameters of one request. */
export type GenerateParameters = { prompt: string; maxTokens: number; temperature: number; seed: bigint };

/** A receipt as stored and returned to clients. */
export type SignedReceipt = {
  receipt: Receipt;
  /** Canonical JSON form of the receipt (bigints as decimal strings). */
  json: Record<string, unknown>;
  hash: Hex;
  signature: Hex;
};

/** Parameters of `settle`. */
export type SettleParameters = {
  id: Hex;
  payer: Address;
  model: GatewayModel;
  prompt: string;
  /** The generation to charge for (for a disconnected stream, the part actually sent). */
  generation: InfiniGramGeneration;
};

/** The gateway's services: keys, models, credit, generation and durable signed receipts. */
export type GatewayService = {
  /** Creates an API key for `payer`; the plaintext is returned once, only its sha-256 is stored. */
  createApiKey(payer: Address): Promise<{ id: string; key: string; payer: Address }>;
  /** Revokes a key by id. */
  revokeApiKey(id: string): Promise<void>;
  /** The payer of a plaintext key, or undefined when unknown or revoked. */
  authenticate(key: string): Promise<Address | undefined>;
  /** Registers the built-in ∞-gram model over a published version on chain and records it. */
  registerInfinigramModel(params: RegisterInfinigramModelParameters): Promise<GatewayModel>;
  listModels(): Promise<GatewayModel[]>;
  /** A model by name (or decimal on-chain id); throws 404 `MODEL_NOT_FOUND`. */
  getModel(name: string): Promise<GatewayModel>;
  /** Sum of every receipt charged to `payer` (exact). */
  chargedSoFar(payer: Address): Promise<bigint>;
  /**
   * Refuses (402) a payer with a pending withdrawal or whose credit (deposited − withdrawn − charged −
   * reserved) cannot cover `maxCharge(pricing, maxTokens)`; otherwise reserves that amount until `release`.
   */
  admit(payer: Address, model: GatewayModel, maxTokens: number): Promise<{ release(): void }>;
  /** Runs the ∞-gram model. */
  generate(model: GatewayModel, params: GenerateParameters): Promise<InfiniGramGeneration>;
  /** Prices, splits, signs and durably stores the receipt of a generation (charging the payer). */
  settle(params: SettleParameters): Promise<SignedReceipt>;
  /** A fresh random receipt id. */
  newReceiptId(): Hex;
};

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");

function toModel(row: ModelRow): GatewayModel {
  return {
    modelId: BigInt(row.model_id),
    name: row.name,
    kind: row.kind,
    datanetId: BigInt(row.datanet_id),
    version: row.version,
    indexId: row.index_id,
    pricing: { perCall: BigInt(row.per_call), per1kOutputTokens: BigInt(row.per_1k_output_tokens) },
    split: { ownerBps: row.owner_bps, dataBps: row.data_bps },
    owner: row.owner as Address,
    createdAt: row.created_at,
  };
}

function requireChain(ctx: NodeContext): ChainContext {
  if (!ctx.chain) {
    throw new ApiError(
      503,
      "NO_CHAIN",
      "the gateway needs a chain connection",
      "Start the node with a `chain` config (rpcUrl, deployment, account).",
    );
  }
  return ctx.chain;
}

/**
 * Creates the gateway service over the node context. Money is bigint throughout; prices and splits come from
 * `@tributary/core`'s settlement core, and every receipt is signed with the node key and inserted (together
 * with the payer's running total) in one transaction before the caller answers.
 *
 * @example
 * const gateway = createGatewayService(ctx);
 * const { key } = await gateway.createApiKey(payer);
 */
export function createGatewayService(ctx: NodeContext): GatewayService {
  const { db } = ctx;
  const reserved = new Map<string, bigint>();
  const models = new Map<string, { lm: InfiniGram; fallback: FallbackContribution[] }>();
  let rates: { protocolFeeBps: number; treasury: Address; at: number } | undefined;
  const RATES_TTL_MS = 30_000;

  async function settlementRates(): Promise<{ protocolFeeBps: number; treasury: Address }> {
    if (rates && Date.now() - rates.at < RATES_TTL_MS) return rates;
    const { sdk } = requireChain(ctx);
    const [bps, treasury] = await Promise.all([getProtocolFeeBps(sdk), getSettlementTreasury(sdk)]);
    rates = { protocolFeeBps: Number(bps), treasury: treasury as Address, at: Date.now() };
    return rates;
  }

  async function loadModel(
    model: GatewayModel,
  ): Promise<{ lm: InfiniGram; fallback: FallbackContribution[] }> {
    const hit = models.get(model.indexId);
    if (hit) return hit;
    const index = await ctx.indexes.read(model.indexId);
    if (!index) {
      throw new ApiError(
        503,
        "INDEX_MISSING",
        `the index ${model.indexId} of model ${model.name} is not on this node`,
        "Re-publish or re-index the datanet version on this node.",
      );
    }
    const entry = { lm: createInfiniGram({ index, tokenizer: ctx.tokenizer }), fallback: fallbackOf(index) };
    models.set(model.indexId, entry);
    return entry;
  }

  async function payouts(ids: readonly bigint[]): Promise<Map<bigint, ContributionPayout>> {
    const out = new Map<bigint, ContributionPayout>();
    if (ids.length === 0) return out;
    const rows = await db
      .selectFrom("contributions")
      .leftJoin("payout_addresses", "payout_addresses.contributor", "contributions.contributor")
      .select(["contributions.id", "contributions.contributor", "payout_addresses.payout"])
      .where(
        "contributions.id",
        "in",
        ids.map((id) => Number(id)),
      )
      .execute();
    for (const r of rows) out.set(BigInt(r.id), { payout: (r.payout ?? r.contributor) as Address });
    const missing = ids.filter((id) => !out.has(id));
    if (missing.length > 0) {
      throw new ApiError(
        503,
        "CONTRIBUTIONS_NOT_INDEXED",
        `contributions ${missing.slice(0, 5).join(", ")} are not indexed yet`,
        "Wait for the node's indexer to catch up with the chain, then retry.",
      );
    }
    return out;
  }

  async function chargedSoFar(payer: Address): Promise<bigint> {
    const row = await db
      .selectFrom("payer_charges")
      .select("charged")
      .where("payer", "=", payer.toLowerCase())
      .executeTakeFirst();
    return row ? BigInt(row.charged) : 0n;
  }

  const locks = new Map<string, Promise<void>>();
  function withLock<T>(key: string, run: () => Promise<T>): Promise<T> {
    const result = (locks.get(key) ?? Promise.resolve()).then(run);
    const tail = result.then(
      () => {},
      () => {},
    );
    locks.set(key, tail);
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key);
    });
    return result;
  }

  return {
    async createApiKey(payer) {
      const key = `${API_KEY_PREFIX}${randomBytes(32).toString("hex")}`;
      const id = randomUUID();
      await db
        .insertInto("api_keys")
        .values({
          id,
          key_hash: sha256(key),
          payer: payer.toLowerCase(),
          created_at: new Date().toISOString(),
          revoked: 0,
        })
        .execute();
      return { id, key, payer };
    },

    async revokeApiKey(id) {
      await db.updateTable("api_keys").set({ revoked: 1 }).where("id", "=", id).execute();
    },

    async authenticate(key) {
      if (!key.startsWith(API_KEY_PREFIX)) return undefined;
      const row = await db
        .selectFrom("api_keys")
        .select("payer")
        .where("key_hash", "=", sha256(key))
        .where("revoked", "=", 0)
        .executeTakeFirst();
      return row?.payer as Address | undefined;
    },

    async registerInfinigramModel(params) {
      const chain = requireChain(ctx);
      const row = await db
        .selectFrom("version_indexes")
        .select("index_id")
        .where("datanet_id", "=", Number(params.datanetId))
        .where("version", "=", params.version)
        .executeTakeFirst();
      if (!row) {
        throw new ApiError(
          404,
          "UNKNOWN_DATANET_VERSION",
          `datanet ${params.datanetId} version ${params.version} has no index on this node`,
          "Publish the version through this node (or index it) before registering a model on it.",
        );
      }
      const taken = await db
        .selectFrom("models")
        .select("model_id")
        .where("name", "=", params.name)
        .executeTakeFirst();
      if (taken) {
        throw new ApiError(
          409,
          "MODEL_NAME_TAKEN",
          `a model named ${params.name} exists`,
          "Choose another name.",
        );
      }
      const { modelId } = await registerModel(chain.sdk, {
        metadataURI: params.metadataURI ?? `tributary://infinigram/${params.datanetId}/${params.version}`,
        artifactHash: `0x${row.index_id}`,
        baseModel: "infinigram",
        trainedOn: [{ datanetId: params.datanetId, version: BigInt(params.version) }],
        pricing: params.pricing,
        split: params.split,
      });
      const values: ModelRow = {
        model_id: Number(modelId),
        name: params.name,
        kind: "infinigram",
        datanet_id: Number(params.datanetId),
        version: params.version,
        index_id: row.index_id,
        per_call: params.pricing.perCall.toString(),
        per_1k_output_tokens: params.pricing.per1kOutputTokens.toString(),
        owner_bps: params.split.ownerBps,
        data_bps: params.split.dataBps,
        owner: chain.walletClient.account.address.toLowerCase(),
        created_at: new Date().toISOString(),
      };
      await db.insertInto("models").values(values).execute();
      return toModel(values);
    },

    async listModels() {
      const rows = await db.selectFrom("models").selectAll().orderBy("model_id").execute();
      return rows.map(toModel);
    },

    async getModel(name) {
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
      return toModel(row);
    },

    chargedSoFar,

    admit(payer, model, maxTokens) {
      const { sdk } = requireChain(ctx);
      const key = payer.toLowerCase();
      // One admission per payer at a time, and the reservations are read before the charges: a request that
      // settles meanwhile is counted either by its charge (committed before the read) or by its reservation
      // (released only after its commit), so concurrent requests can never together exceed the credit.
      return withLock(key, async () => {
        const held = reserved.get(key) ?? 0n;
        const [deposited, withdrawn, requestedAt, charged] = await Promise.all([
          getDeposited(sdk, { payer }),
          getWithdrawn(sdk, { payer }),
          getWithdrawalRequestedAt(sdk, { payer }),
          chargedSoFar(payer),
        ]);
        if (requestedAt > 0n) {
          throw new ApiError(
            402,
            "WITHDRAWAL_PENDING",
            `payer ${payer} has requested a withdrawal; the gateway does not serve it meanwhile`,
            "Cancel the withdrawal request (Settlement.cancelWithdrawal) to be served again, or finish withdrawing.",
          );
        }
        const need = maxCharge(model.pricing, maxTokens);
        const credit = deposited - withdrawn - charged - held;
        if (credit < need) {
          throw new ApiError(
            402,
            "INSUFFICIENT_CREDIT",
            `payer ${payer} has ${credit < 0n ? 0n : credit} units of credit; this request may cost up to ${need}`,
            "Deposit more tokens into Settlement (approveAndDeposit), or lower max_tokens.",
          );
        }
        reserved.set(key, (reserved.get(key) ?? 0n) + need);
        let released = false;
        return {
          release() {
            if (released) return;
            released = true;
            const left = (reserved.get(key) ?? 0n) - need;
            if (left > 0n) reserved.set(key, left);
            else reserved.delete(key);
          },
        };
      });
    },

    async generate(model, params) {
      const { lm } = await loadModel(model);
      return lm.generate({
        prompt: params.prompt,
        maxTokens: params.maxTokens,
        temperature: params.temperature,
        seed: params.seed,
      });
    },

    newReceiptId() {
      return `0x${randomBytes(32).toString("hex")}`;
    },

    async settle({ id, payer, model, prompt, generation }) {
      const chain = requireChain(ctx);
      const { fallback } = await loadModel(model);
      const { protocolFeeBps, treasury } = await settlementRates();
      const outputTokens = generation.tokens.length;
      const price = computePrice(model.pricing, outputTokens);
      const attribution = generation.contributions;
      const paid =
        attribution.length > 0
          ? attribution.map((a) => a.contributionId)
          : fallback.map((f) => f.contributionId);
      const split = splitFee({
        price,
        protocolFeeBps,
        split: model.split,
        attribution,
        contributions: await payouts(paid),
        fallback,
        treasury,
        owner: model.owner,
      });
      const p = generation.params;
      const node = chain.walletClient.account.address;
      const receipt: Receipt = {
        version: 1,
        id,
        payer,
        modelId: model.modelId,
        datanetVersions: [{ datanetId: model.datanetId, version: BigInt(model.version) }],
        inputHash: `0x${sha256(prompt)}`,
        outputHash: `0x${sha256(generation.text)}`,
        inputTokens: generation.promptTokens,
        outputTokens,
        pricing: model.pricing,
        split: model.split,
        protocolFeeBps,
        agentFeeBps: 0,
        price,
        agentFee: split.agentFee,
        charged: split.charged,
        parts: split.parts,
        attribution: {
          algorithm: generation.algorithm,
          params: {
            tokenizer: generation.tokenizer,
            maxTokens: p.maxTokens,
            temperature: p.temperature,
            topK: p.topK,
            seed: p.seed.toString(),
            minCount: p.minCount,
            stopAtSentence: p.stopAtSentence,
          },
          contributions: attribution,
        },
        timestamp: Math.floor(Date.now() / 1000),
        node,
      };
      const canonical = new TextDecoder().decode(canonicalReceiptBytes(receipt));
      const json = JSON.parse(canonical) as Record<string, unknown>;
      const hash = receiptHash(receipt);
      const signer: ReceiptSigner = {
        signTypedData: ((args: Parameters<ReceiptSigner["signTypedData"]>[0]) =>
          chain.walletClient.signTypedData({
            ...(args as object),
            account: chain.walletClient.account,
          } as never)) as ReceiptSigner["signTypedData"],
      };
      const signature = await signReceipt(signer, receipt);
      const now = new Date().toISOString();
      const payerKey = payer.toLowerCase();
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto("receipts")
          .values({
            id,
            payer: payerKey,
            model_id: Number(model.modelId),
            created_at: now,
            price: price.toString(),
            charged: split.charged.toString(),
            receipt_json: canonical,
            hash,
            signature,
            output: generation.text,
            input: prompt,
            epoch: null,
          })
          .execute();
        const row = await trx
          .selectFrom("payer_charges")
          .select("charged")
          .where("payer", "=", payerKey)
          .executeTakeFirst();
        const total = (row ? BigInt(row.charged) : 0n) + split.charged;
        await trx
          .insertInto("payer_charges")
          .values({ payer: payerKey, charged: total.toString(), updated_at: now })
          .onConflict((oc) => oc.column("payer").doUpdateSet({ charged: total.toString(), updated_at: now }))
          .execute();
      });
      return { receipt, json, hash, signature };
    },
  };
}

/** Token count of each contribution in an index (documents without their separators), for unattributed outputs. */
function fallbackOf(index: AttributionIndex): FallbackContribution[] {
  const tokens = new Map<bigint, number>();
  const n = index.docStarts.length;
  for (let d = 0; d < n; d++) {
    const start = index.docStarts[d] as number;
    const end = d + 1 < n ? (index.docStarts[d + 1] as number) : index.tokens.length;
    const id = index.contributionIds[d] as bigint;
    tokens.set(id, (tokens.get(id) ?? 0) + Math.max(0, end - start - 1));
  }
  return [...tokens]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([contributionId, t]) => ({ contributionId, tokens: t }));
}
