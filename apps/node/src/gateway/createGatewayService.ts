import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  attributeSpans,
  type ContributionShare,
  canonicalJson,
  computePrice,
  createInfiniGram,
  DEFAULT_SPAN_PARAMETERS,
  type FallbackContribution,
  type InfiniGram,
  type InfiniGramGeneration,
  maxCharge,
  type Pricing,
  type Receipt,
  receiptDomain,
  receiptToJson,
  receiptTypes,
  SPAN_ALGORITHM,
  type Split,
  splitFee,
  toLowS,
} from "@tributary/core";
import {
  ContractRevertError,
  getAgent,
  getDeposited,
  getProtocolFeeBps,
  getSettlementTreasury,
  getWithdrawalRequestedAt,
  getWithdrawn,
  registerModel,
  TributaryError,
} from "@tributary/sdk";
import { sql } from "kysely";
import {
  type Address,
  bytesToHex,
  concat,
  encodeAbiParameters,
  getAddress,
  type Hex,
  keccak256,
  type LocalAccount,
  toHex,
} from "viem";
import { ApiError } from "../api/ApiError.ts";
import {
  createVersionSetIndexes,
  infinigramArtifactHash,
  MissingVersionIndexError,
  type VersionSetIndex,
} from "../attribution/versionSetIndexes.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import { UPSTREAM_PURPOSE } from "../db/migrations/014_sealed_secrets.ts";
import type { ApiKeyRow, ModelRow, ReceiptRow } from "../db/schema.ts";
import { currentModelTerms, type ModelTerms } from "../indexer/handlers/models.ts";
import { getPayerState, type PayerState } from "../indexer/handlers/settlement.ts";
import { createSecretBox, type SecretBox } from "../secrets/createSecretBox.ts";
import {
  createReceiptWriter,
  RECEIPT_DOMAIN_SEPARATOR,
  RECEIPT_TYPEHASH,
  type ReceiptSigningKey,
  type ReceiptWriter,
  receiptSigningKey,
} from "./createReceiptWriter.ts";
import { type ModelLimits, modelLimits, nodeLimits } from "./promptLimits.ts";
import type { Upstream } from "./upstream.ts";

/** Prefix of every plaintext API key. */
export const API_KEY_PREFIX = "trib_";

/** Default requests per minute per API key (node config `gateway.rateLimitPerMinute` overrides it). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** A datanet version a model was trained on. */
export type TrainedOnVersion = { datanetId: bigint; version: number };

/** A model the gateway serves, as stored. */
export type GatewayModel = {
  modelId: bigint;
  name: string;
  /** `infinigram`: the built-in ∞-gram over its versions' index; `external`: an OpenAI-compatible upstream. */
  kind: "infinigram" | "external";
  /** First trained-on version. */
  datanetId: bigint;
  version: number;
  /** The ∞-gram's index ids, comma-separated, one per trained-on version ("" for external models). */
  indexId: string;
  /** Every trained-on version, in registration order. */
  trainedOn: TrainedOnVersion[];
  /** External models only. */
  upstream?: Upstream;
  /** The model's terms on chain (ModelRegistry, through the indexer's `model_terms`), as of the last read. */
  pricing: Pricing;
  split: Split;
  owner: Address;
  /** Deprecated on chain: listed, no longer served. */
  deprecated: boolean;
  /** Request size limits on this node: the model's own, else the node's defaults (`GatewayConfig`). */
  limits: ModelLimits;
  createdAt: string;
};

/** Parameters of `registerInfinigramModel`: one version (`datanetId`, `version`) or several (`trainedOn`). */
export type RegisterInfinigramModelParameters = (
  | { datanetId: bigint; version: number; trainedOn?: undefined }
  | { trainedOn: TrainedOnVersion[]; datanetId?: undefined; version?: undefined }
) & {
  pricing: Pricing;
  split: Split;
  /** Name clients pass as `model` (unique on this node). */
  name: string;
  /** Model card URI; defaults to `tributary://infinigram/<datanetId>/<version>[,<datanetId>/<version>…]`. */
  metadataURI?: string;
  /** This node's limits on the model's requests; each absent one is the node's default. */
  limits?: Partial<ModelLimits>;
};

/** Parameters of `registerExternalModel`. */
export type RegisterExternalModelParameters = {
  name: string;
  upstream: Upstream;
  /** Versions the upstream model was trained (or fine-tuned) on; each needs an index on this node. */
  trainedOn: TrainedOnVersion[];
  pricing: Pricing;
  split: Split;
  /** Model card URI; defaults to `tributary://external/<name>`. */
  metadataURI?: string;
  /** This node's limits on the model's requests; each absent one is the node's default. */
  limits?: Partial<ModelLimits>;
};

/** Sampling parameters of one request. */
export type GenerateParameters = { prompt: string; maxTokens: number; temperature: number; seed: bigint };

/** A receipt as stored and returned to clients. */
export type SignedReceipt = {
  receipt: Receipt;
  /** Canonical JSON form of the receipt (bigints as decimal strings), parsed from `canonical` when read. */
  readonly json: Record<string, unknown>;
  /** The canonical JSON text (sorted keys), as stored. */
  canonical: string;
  hash: Hex;
  signature: Hex;
  /** Time from handing the receipt to the writer until it was committed (and signed, when the writer signs). */
  writeMs?: number;
};

/** The agent a request goes through, as AgentRegistry says. */
export type AgentTerms = { agentId: bigint; operator: Address; feeBps: number };

/** What a request produced, to be charged. */
export type GatewayOutput =
  | { kind: "infinigram"; generation: InfiniGramGeneration }
  | {
      kind: "external";
      /** The text sent to the client (all of it, or what was streamed before a disconnect). */
      text: string;
      /** The request's max_tokens: the charged token count never exceeds it (the admission reserved it). */
      maxTokens: number;
    };

/** Parameters of `settle`. */
export type SettleParameters = {
  id: Hex;
  payer: Address;
  model: GatewayModel;
  prompt: string;
  /** The prompt's input tokens as `checkPrompt` counted them (the receipt's tokenizer); counted again when absent. */
  inputTokens?: number;
  output: GatewayOutput;
  agent?: AgentTerms;
};

/** An API key as listed (never the key or its hash). */
export type ApiKeyView = {
  id: string;
  payer: Address;
  name: string | null;
  /** Requests per minute; null = the node's default. */
  rateLimitPerMinute: number | null;
  createdAt: string;
  revoked: boolean;
};

/** A key as `authenticate` resolves it. */
export type AuthenticatedKey = { id: string; payer: Address; rateLimitPerMinute: number | null };

/** Counters of the service, for tests and operators. */
export type GatewayStats = {
  /** Admissions that read deposits from the chain because the `payers` projection said no. */
  chainReads: number;
  /** Durable receipt batches committed, and receipts in them. */
  batches: number;
  receipts: number;
  /** Who signs receipts: the writer thread (`libsecp256k1` or `noble`), or `event loop` (the key is not local). */
  receiptSigner?: string;
};

/** The gateway's services: keys, models, agents, credit, generation and durable signed receipts. */
export type GatewayService = {
  /** Creates an API key for `payer`; the plaintext is returned once, only its sha-256 is stored. */
  createApiKey(
    payer: Address,
    options?: { name?: string; rateLimitPerMinute?: number },
  ): Promise<ApiKeyView & { key: string }>;
  /** Keys, oldest first, optionally of one payer; `cursor` is the previous page's `nextCursor`. */
  listApiKeys(params: {
    payer?: Address;
    limit: number;
    cursor?: string;
  }): Promise<{ items: ApiKeyView[]; nextCursor: string | null }>;
  /** Revokes a key by id; false when there is no such key. */
  revokeApiKey(id: string): Promise<boolean>;
  /** The key of a plaintext API key, or undefined when unknown or revoked. */
  authenticate(key: string): Promise<AuthenticatedKey | undefined>;
  /** Registers the built-in ∞-gram model over a published version on chain and records it. */
  registerInfinigramModel(params: RegisterInfinigramModelParameters): Promise<GatewayModel>;
  /** Registers an external (OpenAI-compatible upstream) model on chain with its trained-on versions. */
  registerExternalModel(params: RegisterExternalModelParameters): Promise<GatewayModel>;
  listModels(): Promise<GatewayModel[]>;
  /** A model by name (or decimal on-chain id); throws 404 `MODEL_NOT_FOUND`. */
  getModel(name: string): Promise<GatewayModel>;
  /** Sum of every receipt charged to `payer` (exact, from the database). */
  chargedSoFar(payer: Address): Promise<bigint>;
  /** The agent's terms for `model`; 400 `UNKNOWN_AGENT`, 403 `AGENT_INACTIVE` / `AGENT_MODEL_NOT_ALLOWED`. */
  resolveAgent(agentId: bigint, model: GatewayModel): Promise<AgentTerms>;
  /**
   * Refuses (402) a payer with a pending withdrawal or whose credit (deposited − withdrawn − charged −
   * reserved) cannot cover `maxCharge(pricing, maxTokens, inputTokens, agentFeeBps)`; otherwise reserves that
   * amount until `release`. Deposits come from the indexer's `payers` projection; when it says no, the chain is
   * read once. `inputTokens` is the prompt's count from `checkPrompt` (its price is known before serving).
   */
  admit(
    payer: Address,
    model: GatewayModel,
    params: { maxTokens: number; inputTokens: number; agentFeeBps?: number },
  ): Promise<{ release(): void }>;
  /** Runs the ∞-gram model. */
  generate(model: GatewayModel, params: GenerateParameters): Promise<InfiniGramGeneration>;
  /** Prices, attributes (external outputs), splits, signs and durably stores the receipt (charging the payer). */
  settle(params: SettleParameters): Promise<SignedReceipt>;
  /** A fresh random receipt id. */
  newReceiptId(): Hex;
  stats(): GatewayStats;
};

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");

function parseTrainedOn(text: string): TrainedOnVersion[] {
  return (JSON.parse(text) as { datanetId: string; version: number }[]).map((t) => ({
    datanetId: BigInt(t.datanetId),
    version: t.version,
  }));
}

/** An external model's upstream as stored: sealed under the node's secrets key (migration 014). */
function openUpstream(row: ModelRow, secrets: SecretBox): Upstream | undefined {
  if (!row.upstream) return undefined;
  return JSON.parse(secrets.open(row.upstream, UPSTREAM_PURPOSE)) as Upstream;
}

function toModel(row: ModelRow, secrets: SecretBox, defaults: ModelLimits): GatewayModel {
  const upstream = openUpstream(row, secrets);
  const trainedOn = parseTrainedOn(row.trained_on ?? "[]");
  return {
    modelId: BigInt(row.model_id),
    name: row.name,
    kind: row.kind,
    datanetId: BigInt(row.datanet_id),
    version: row.version,
    indexId: row.index_id,
    trainedOn:
      trainedOn.length > 0 ? trainedOn : [{ datanetId: BigInt(row.datanet_id), version: row.version }],
    ...(upstream ? { upstream } : {}),
    pricing: {
      perCall: BigInt(row.per_call),
      per1kOutputTokens: BigInt(row.per_1k_output_tokens),
      per1kInputTokens: BigInt(row.per_1k_input_tokens),
    },
    split: { ownerBps: row.owner_bps, dataBps: row.data_bps },
    owner: row.owner as Address,
    deprecated: false,
    limits: modelLimits(row, defaults),
    createdAt: row.created_at,
  };
}

/** A model's own limits as stored: null where it has none (the node's default applies, even if it changes). */
function storedLimits(limits: Partial<ModelLimits> | undefined) {
  return {
    max_input_tokens: limits?.maxInputTokens ?? null,
    max_prompt_bytes: limits?.maxPromptBytes ?? null,
    max_output_tokens: limits?.maxOutputTokens ?? null,
  };
}

function toKeyView(row: Omit<ApiKeyRow, "key_hash">): ApiKeyView {
  return {
    id: row.id,
    payer: getAddress(row.payer),
    name: row.name ?? null,
    rateLimitPerMinute: row.rate_limit_per_minute ?? null,
    createdAt: row.created_at,
    revoked: row.revoked === 1,
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

/** EIP-712 digest of a receipt hash under `receiptDomain` / `receiptTypes` (what `signReceipt` signs). */
function receiptDigest(hash: Hex): Hex {
  const struct = keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "bytes32" }], [RECEIPT_TYPEHASH, hash]),
  );
  return keccak256(concat(["0x1901", RECEIPT_DOMAIN_SEPARATOR, struct]));
}

const PAYOUT_TTL_MS = 2_000;
const AGENT_TTL_MS = 5_000;
const KEY_TTL_MS = 10_000;
const RATES_TTL_MS = 30_000;
const TERMS_TTL_MS = 1_000;
const MAX_BATCH = 256;

/**
 * Creates the gateway service over the node context. Money is bigint throughout; prices and splits come from
 * `@tributary/core`'s settlement core; every receipt is signed with the node key and inserted (together with
 * the payer's running total) in a transaction that commits before the caller answers. Receipts settling at
 * the same time share one transaction (group commit: one fsync for the batch, each caller still waits for it).
 *
 * @example
 * const gateway = createGatewayService(ctx);
 * const { key } = await gateway.createApiKey(payer);
 */
export function createGatewayService(ctx: NodeContext): GatewayService {
  const { db } = ctx;
  const secrets = ctx.secrets ?? createSecretBox({ dataDir: ctx.dataDir });
  const defaultLimits = nodeLimits(ctx.gateway);
  const reserved = new Map<string, bigint>();
  const charged = new Map<string, bigint>();
  const lms = new Map<string, { set: VersionSetIndex; lm: InfiniGram; fallback: FallbackContribution[] }>();
  const modelsByName = new Map<string, GatewayModel>();
  const keys = new Map<string, { key: AuthenticatedKey; at: number }>();
  const payoutCache = new Map<bigint, { payout: Address; at: number }>();
  const agents = new Map<bigint, { agent: Awaited<ReturnType<typeof getAgent>>; at: number }>();
  const termsCache = new Map<bigint, { terms: ModelTerms | undefined; at: number }>();
  const counters: GatewayStats = { chainReads: 0, batches: 0, receipts: 0 };
  let rates: { protocolFeeBps: number; treasury: Address; at: number } | undefined;

  async function settlementRates(): Promise<{ protocolFeeBps: number; treasury: Address }> {
    if (rates && Date.now() - rates.at < RATES_TTL_MS) return rates;
    const { sdk } = requireChain(ctx);
    const [bps, treasury] = await Promise.all([getProtocolFeeBps(sdk), getSettlementTreasury(sdk)]);
    rates = { protocolFeeBps: Number(bps), treasury: treasury as Address, at: Date.now() };
    return rates;
  }

  const versionSets = createVersionSetIndexes(ctx);

  /** The index of the model's trained-on versions (their union for several; see `unionIndex`). */
  async function loadVersionSet(model: GatewayModel): Promise<VersionSetIndex> {
    try {
      return await versionSets.load(model.trainedOn);
    } catch (error) {
      if (!(error instanceof MissingVersionIndexError)) throw error;
      throw new ApiError(
        503,
        "INDEX_MISSING",
        `model ${model.name}: ${error.message}`,
        "Publish the version through this node (or index it from the version's export), then retry.",
      );
    }
  }

  async function loadLm(model: GatewayModel): Promise<{ lm: InfiniGram; fallback: FallbackContribution[] }> {
    const set = await loadVersionSet(model);
    const hit = lms.get(set.key);
    if (hit && hit.set === set) return hit;
    const entry = {
      set,
      lm: createInfiniGram({ index: set.index, tokenizer: ctx.tokenizer }),
      fallback: set.fallback,
    };
    lms.set(set.key, entry);
    return entry;
  }

  /** A model's trained-on list: 1..32 distinct versions, each with an index on this node; their index ids. */
  async function checkTrainedOn(trainedOn: readonly TrainedOnVersion[], what: string): Promise<string[]> {
    if (trainedOn.length === 0 || trainedOn.length > 32) {
      throw new ApiError(
        400,
        "NO_TRAINED_ON",
        `${what} needs 1 to 32 trained-on datanet versions, got ${trainedOn.length}`,
        "List the datanet versions the model was trained on in `trainedOn` ([{ datanetId, version }]).",
      );
    }
    const seen = new Set<string>();
    for (const t of trainedOn) {
      const key = `${t.datanetId}/${t.version}`;
      if (seen.has(key)) {
        throw new ApiError(
          400,
          "DUPLICATE_TRAINED_ON",
          `datanet ${t.datanetId} version ${t.version} is listed twice in trainedOn`,
          "List each datanet version once.",
        );
      }
      seen.add(key);
    }
    try {
      return await versionSets.indexIds(trainedOn);
    } catch (error) {
      if (!(error instanceof MissingVersionIndexError)) throw error;
      throw new ApiError(
        404,
        "UNKNOWN_DATANET_VERSION",
        `datanet ${error.datanetId} version ${error.version} has no index on this node`,
        "Publish (or index) every trained-on version on this node first: the model's attribution runs on their indexes.",
      );
    }
  }

  async function payouts(ids: readonly bigint[]): Promise<Map<bigint, { payout: Address }>> {
    const out = new Map<bigint, { payout: Address }>();
    if (ids.length === 0) return out;
    const now = Date.now();
    const missing: bigint[] = [];
    for (const id of ids) {
      const hit = payoutCache.get(id);
      if (hit && now - hit.at < PAYOUT_TTL_MS) out.set(id, { payout: hit.payout });
      else missing.push(id);
    }
    if (missing.length === 0) return out;
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const rows = await db
        .selectFrom("contributions")
        .leftJoin("payout_addresses", "payout_addresses.contributor", "contributions.contributor")
        .select(["contributions.id", "contributions.contributor", "payout_addresses.payout"])
        .where(
          "contributions.id",
          "in",
          chunk.map((id) => Number(id)),
        )
        .execute();
      for (const r of rows) {
        const payout = (r.payout ?? r.contributor) as Address;
        out.set(BigInt(r.id), { payout });
        payoutCache.set(BigInt(r.id), { payout, at: now });
      }
    }
    const absent = ids.filter((id) => !out.has(id));
    if (absent.length > 0) {
      throw new ApiError(
        503,
        "CONTRIBUTIONS_NOT_INDEXED",
        `contributions ${absent.slice(0, 5).join(", ")} are not indexed yet`,
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

  /** The payer's charges: the in-memory total (kept by the receipt writer after each commit), else the database. */
  async function chargedOf(key: string): Promise<bigint> {
    const hit = charged.get(key);
    if (hit !== undefined) return hit;
    const value = await chargedSoFar(key as Address);
    // A batch that committed meanwhile has set the total: it is the newer one. Otherwise the value read is
    // current, or older only by receipts whose reservations are still held (released after the total is set).
    const now = charged.get(key);
    if (now !== undefined) return now;
    charged.set(key, value);
    return value;
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

  // Durable receipts: a writer thread with group commit when the database is a file (always, under
  // createNode); otherwise the same group commit through Kysely on this thread.
  const dbPath = join(ctx.dataDir, "node.db");
  let writer: ReceiptWriter | undefined;
  let writerSigns = false;
  const onCommitted = (totals: ReadonlyMap<string, bigint>) => {
    for (const [payer, total] of totals) charged.set(payer, total);
  };
  type Pending = { row: ReceiptRow; charge: bigint; resolve: () => void; reject: (e: unknown) => void };
  let queue: Pending[] = [];
  let writing = false;
  /** The node key, when its account exposes it (HD accounts): then the writer thread signs. */
  function signingKey(): ReceiptSigningKey | undefined {
    const account = ctx.chain?.walletClient.account as { getHdKey?: () => { privateKey: Uint8Array | null } };
    const hd = account?.getHdKey?.().privateKey;
    const key = ctx.chain?.privateKey ?? (hd ? bytesToHex(hd) : undefined);
    return key ? receiptSigningKey(key) : undefined;
  }
  /** Hashes, signs and durably writes the receipt row; resolves with its hash and signature once committed. */
  async function writeReceipt(
    chain: ChainContext,
    row: ReceiptRow,
    charge: bigint,
  ): Promise<{ hash: Hex; signature: Hex }> {
    if (existsSync(dbPath)) {
      if (!writer) {
        const signer = signingKey();
        writer = createReceiptWriter({ path: dbPath, onCommitted, ...(signer ? { signer } : {}) });
        writerSigns = signer !== undefined;
      }
      if (writerSigns) return writer.write({ row, charge });
    }
    const hash = keccak256(new TextEncoder().encode(row.receipt_json));
    const signature = await sign(chain, hash);
    const signedRow = { ...row, hash, signature };
    if (writer) {
      await writer.write({ row: signedRow, charge });
      return { hash, signature };
    }
    await new Promise<void>((resolve, reject) => {
      queue.push({ row: signedRow, charge, resolve, reject });
      if (!writing) {
        writing = true;
        setImmediate(drain);
      }
    });
    return { hash, signature };
  }
  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      const totals = new Map<string, bigint>();
      try {
        const now = new Date().toISOString();
        await db.transaction().execute(async (trx) => {
          for (let i = 0; i < batch.length; i += 64) {
            await trx
              .insertInto("receipts")
              .values(batch.slice(i, i + 64).map((p) => p.row))
              .execute();
          }
          const add = new Map<string, bigint>();
          for (const p of batch) add.set(p.row.payer, (add.get(p.row.payer) ?? 0n) + p.charge);
          for (const [payer, amount] of add) {
            const row = await trx
              .selectFrom("payer_charges")
              .select("charged")
              .where("payer", "=", payer)
              .executeTakeFirst();
            const total = (row ? BigInt(row.charged) : 0n) + amount;
            await trx
              .insertInto("payer_charges")
              .values({ payer, charged: total.toString(), updated_at: now })
              .onConflict((oc) =>
                oc.column("payer").doUpdateSet({ charged: total.toString(), updated_at: now }),
              )
              .execute();
            totals.set(payer, total);
          }
        });
        onCommitted(totals);
        counters.batches++;
        counters.receipts += batch.length;
        for (const p of batch) p.resolve();
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    writing = false;
  }

  const payerStates = new Map<string, { state: PayerState | undefined; revision: number }>();
  /**
   * The indexed payer state, kept until the indexer commits anything new (`indexer.revision()`), never by time:
   * a 1 s cache let a payer that had just withdrawn all its unspent credit be admitted again on a "yes" read
   * before its withdrawal (found by the property test, seed -1850653010). A refusal re-reads the chain, and the
   * projection always sees a withdrawal request before the withdrawal (Settlement's delay holds it back), so a
   * projection that lags by less than that delay never admits a payer beyond its credit.
   */
  async function indexedPayer(key: string): Promise<PayerState | undefined> {
    const indexer = ctx.chain?.indexer;
    const revision = indexer?.revision() ?? -1;
    const hit = payerStates.get(key);
    if (hit && indexer && hit.revision === revision) return hit.state;
    const state = await getPayerState(db, key as Address);
    payerStates.set(key, { state, revision });
    return state;
  }

  /** Signs a receipt hash on this thread (the key is not local), always in low-s form (`toLowS`). */
  async function sign(chain: ChainContext, hash: Hex): Promise<Hex> {
    const account = chain.walletClient.account as LocalAccount;
    if (typeof account.sign === "function") return toLowS(await account.sign({ hash: receiptDigest(hash) }));
    const signature = await chain.walletClient.signTypedData({
      account,
      domain: receiptDomain,
      types: receiptTypes,
      primaryType: "Receipt",
      message: { receiptHash: hash },
    });
    return toLowS(signature);
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

  function cacheModel(model: GatewayModel): GatewayModel {
    modelsByName.set(model.name, model);
    modelsByName.set(model.modelId.toString(), model);
    return model;
  }

  async function checkName(name: string): Promise<void> {
    const taken = await db
      .selectFrom("models")
      .select("model_id")
      .where("name", "=", name)
      .executeTakeFirst();
    if (taken) {
      throw new ApiError(409, "MODEL_NAME_TAKEN", `a model named ${name} exists`, "Choose another name.");
    }
  }

  async function registerOnChain(params: Parameters<typeof registerModel>[1]): Promise<bigint> {
    const chain = requireChain(ctx);
    try {
      return (await registerModel(chain.sdk, params)).modelId;
    } catch (error) {
      if (error instanceof ContractRevertError) {
        throw new ApiError(
          422,
          "MODEL_REGISTRATION_REVERTED",
          `ModelRegistry refused the model: ${error.message}`,
          error.hint ?? "Check the trained-on versions are published and the split sums to 10000.",
          { cause: error },
        );
      }
      throw error;
    }
  }

  async function insertModel(values: ModelRow): Promise<GatewayModel> {
    await db.insertInto("models").values(values).execute();
    return cacheModel(toModel(values, secrets, defaultLimits));
  }

  return {
    async createApiKey(payer, options = {}) {
      const key = `${API_KEY_PREFIX}${randomBytes(32).toString("hex")}`;
      const row: ApiKeyRow = {
        id: randomUUID(),
        key_hash: sha256(key),
        payer: payer.toLowerCase(),
        created_at: new Date().toISOString(),
        revoked: 0,
        name: options.name ?? null,
        rate_limit_per_minute: options.rateLimitPerMinute ?? null,
      };
      await db.insertInto("api_keys").values(row).execute();
      return { ...toKeyView(row), key };
    },

    async listApiKeys({ payer, limit, cursor }) {
      let q = db
        .selectFrom("api_keys")
        .select([
          "id",
          "payer",
          "name",
          "rate_limit_per_minute",
          "created_at",
          "revoked",
          sql<number>`rowid`.as("seq"),
        ])
        .orderBy(sql`rowid`)
        .limit(limit + 1);
      if (payer) q = q.where("payer", "=", payer.toLowerCase());
      if (cursor !== undefined) q = q.where(sql<number>`rowid`, ">", Number(cursor));
      const rows = await q.execute();
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(toKeyView),
        nextCursor: rows.length > limit && last ? String(last.seq) : null,
      };
    },

    async revokeApiKey(id) {
      const r = await db.updateTable("api_keys").set({ revoked: 1 }).where("id", "=", id).executeTakeFirst();
      keys.clear();
      return Number(r.numUpdatedRows) > 0;
    },

    async authenticate(key) {
      if (!key.startsWith(API_KEY_PREFIX)) return undefined;
      const hash = sha256(key);
      const hit = keys.get(hash);
      if (hit && Date.now() - hit.at < KEY_TTL_MS) return hit.key;
      const row = await db
        .selectFrom("api_keys")
        .select(["id", "payer", "rate_limit_per_minute"])
        .where("key_hash", "=", hash)
        .where("revoked", "=", 0)
        .executeTakeFirst();
      if (!row) {
        keys.delete(hash);
        return undefined;
      }
      const found = {
        id: row.id,
        payer: row.payer as Address,
        rateLimitPerMinute: row.rate_limit_per_minute,
      };
      keys.set(hash, { key: found, at: Date.now() });
      return found;
    },

    async registerInfinigramModel(params) {
      const chain = requireChain(ctx);
      const trainedOn = params.trainedOn ?? [{ datanetId: params.datanetId, version: params.version }];
      const indexIds = await checkTrainedOn(trainedOn, "an ∞-gram model");
      await checkName(params.name);
      const modelId = await registerOnChain({
        metadataURI:
          params.metadataURI ??
          `tributary://infinigram/${trainedOn.map((t) => `${t.datanetId}/${t.version}`).join(",")}`,
        artifactHash: infinigramArtifactHash(indexIds),
        baseModel: "infinigram",
        trainedOn: trainedOn.map((t) => ({ datanetId: t.datanetId, version: BigInt(t.version) })),
        pricing: params.pricing,
        split: params.split,
      });
      const first = trainedOn[0] as TrainedOnVersion;
      return insertModel({
        model_id: Number(modelId),
        name: params.name,
        kind: "infinigram",
        datanet_id: Number(first.datanetId),
        version: first.version,
        index_id: indexIds.join(","),
        per_call: params.pricing.perCall.toString(),
        per_1k_output_tokens: params.pricing.per1kOutputTokens.toString(),
        per_1k_input_tokens: params.pricing.per1kInputTokens.toString(),
        owner_bps: params.split.ownerBps,
        data_bps: params.split.dataBps,
        owner: chain.walletClient.account.address.toLowerCase(),
        created_at: new Date().toISOString(),
        upstream: null,
        trained_on: JSON.stringify(
          trainedOn.map((t) => ({ datanetId: t.datanetId.toString(), version: t.version })),
        ),
        ...storedLimits(params.limits),
      });
    },

    async registerExternalModel(params) {
      const chain = requireChain(ctx);
      await checkTrainedOn(params.trainedOn, "an external model");
      await checkName(params.name);
      const description = { baseURL: params.upstream.baseURL, model: params.upstream.model };
      const modelId = await registerOnChain({
        metadataURI: params.metadataURI ?? `tributary://external/${encodeURIComponent(params.name)}`,
        artifactHash: keccak256(toHex(canonicalJson(description))),
        baseModel: params.upstream.model,
        trainedOn: params.trainedOn.map((t) => ({ datanetId: t.datanetId, version: BigInt(t.version) })),
        pricing: params.pricing,
        split: params.split,
      });
      const first = params.trainedOn[0] as TrainedOnVersion;
      return insertModel({
        model_id: Number(modelId),
        name: params.name,
        kind: "external",
        datanet_id: Number(first.datanetId),
        version: first.version,
        index_id: "",
        per_call: params.pricing.perCall.toString(),
        per_1k_output_tokens: params.pricing.per1kOutputTokens.toString(),
        per_1k_input_tokens: params.pricing.per1kInputTokens.toString(),
        owner_bps: params.split.ownerBps,
        data_bps: params.split.dataBps,
        owner: chain.walletClient.account.address.toLowerCase(),
        created_at: new Date().toISOString(),
        // Sealed: the base URL may carry credentials and the API key is one; neither is stored in plaintext.
        upstream: secrets.seal(JSON.stringify(params.upstream), UPSTREAM_PURPOSE),
        trained_on: JSON.stringify(
          params.trainedOn.map((t) => ({ datanetId: t.datanetId.toString(), version: t.version })),
        ),
        ...storedLimits(params.limits),
      });
    },

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

    chargedSoFar,

    async resolveAgent(agentId, model) {
      const { sdk } = requireChain(ctx);
      let hit = agents.get(agentId);
      if (!hit || Date.now() - hit.at >= AGENT_TTL_MS) {
        try {
          hit = { agent: await getAgent(sdk, { agentId }), at: Date.now() };
        } catch (error) {
          if (
            error instanceof TributaryError &&
            (error as ContractRevertError).errorName === "AgentRegistryAgentNotFound"
          ) {
            throw new ApiError(
              400,
              "UNKNOWN_AGENT",
              `agent ${agentId} is not registered in AgentRegistry`,
              "Send the id of a registered agent in X-Tributary-Agent (or body tributary.agentId), or drop it.",
            );
          }
          throw error;
        }
        agents.set(agentId, hit);
      }
      const { agent } = hit;
      if (!agent.active) {
        throw new ApiError(
          403,
          "AGENT_INACTIVE",
          `agent ${agentId} is deactivated`,
          "Call without this agent, or through an active one.",
        );
      }
      if (!agent.allowedModels.some((m) => m === model.modelId)) {
        throw new ApiError(
          403,
          "AGENT_MODEL_NOT_ALLOWED",
          `agent ${agentId} may not call model ${model.name} (id ${model.modelId})`,
          "The agent's operator can allow it with AgentRegistry.setAllowedModels; or call a model the agent allows.",
        );
      }
      return { agentId, operator: agent.operator as Address, feeBps: Number(agent.feeBps) };
    },

    admit(payer, model, { maxTokens, inputTokens, agentFeeBps = 0 }) {
      const key = payer.toLowerCase();
      // One admission per payer at a time, and the reservations are read before the charges: a request that
      // settles meanwhile is counted either by its charge (committed before the read) or by its reservation
      // (released only after its commit and the in-memory total), so concurrent requests can never together
      // exceed the credit.
      return withLock(key, async () => {
        const held = reserved.get(key) ?? 0n;
        const need = maxCharge(model.pricing, maxTokens, inputTokens, agentFeeBps);
        const spent = await chargedOf(key);
        const indexed = await indexedPayer(key);
        let deposited = indexed?.deposited ?? 0n;
        let withdrawn = indexed?.withdrawn ?? 0n;
        let pending = (indexed?.withdrawalRequestedAt ?? 0) > 0;
        if (pending || deposited - withdrawn - spent - held < need) {
          // The projection may lag the chain (a deposit or a cancellation not indexed yet): ask the chain once.
          const { sdk } = requireChain(ctx);
          counters.chainReads++;
          const [d, w, r] = await Promise.all([
            getDeposited(sdk, { payer }),
            getWithdrawn(sdk, { payer }),
            getWithdrawalRequestedAt(sdk, { payer }),
          ]);
          deposited = d;
          withdrawn = w;
          pending = r > 0n;
        }
        if (pending) {
          throw new ApiError(
            402,
            "WITHDRAWAL_PENDING",
            `payer ${payer} has requested a withdrawal; the gateway does not serve it meanwhile`,
            "Cancel the withdrawal request (Settlement.cancelWithdrawal) to be served again, or finish withdrawing.",
          );
        }
        const credit = deposited - withdrawn - spent - held;
        if (credit < need) {
          throw new ApiError(
            402,
            "INSUFFICIENT_CREDIT",
            `payer ${payer} has ${credit < 0n ? 0n : credit} units of credit; this request may cost up to ${need}${agentFeeBps > 0 ? ` (agent fee of ${agentFeeBps} bps included)` : ""}`,
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
      const { lm } = await loadLm(model);
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

    stats() {
      const w = writer?.stats() ?? { batches: 0, receipts: 0 };
      return {
        chainReads: counters.chainReads,
        batches: counters.batches + w.batches,
        receipts: counters.receipts + w.receipts,
        ...(writer ? { receiptSigner: writerSigns ? (w.signer ?? "starting") : "event loop" } : {}),
      };
    },

    async settle({ id, payer, model, prompt, inputTokens: counted, output, agent }) {
      const chain = requireChain(ctx);
      const { protocolFeeBps, treasury } = await settlementRates();
      let outputTokens: number;
      let inputTokens: number;
      let text: string;
      let attribution: readonly ContributionShare[];
      let fallback: FallbackContribution[];
      let algorithm: Receipt["attribution"];
      if (output.kind === "infinigram") {
        const g = output.generation;
        fallback = (await loadLm(model)).fallback;
        outputTokens = g.tokens.length;
        inputTokens = g.promptTokens;
        text = g.text;
        attribution = g.contributions;
        const p = g.params;
        algorithm = {
          algorithm: g.algorithm,
          params: {
            tokenizer: g.tokenizer,
            maxTokens: p.maxTokens,
            temperature: p.temperature,
            topK: p.topK,
            seed: p.seed.toString(),
            minCount: p.minCount,
            stopAtSentence: p.stopAtSentence,
          },
          contributions: attribution,
        };
      } else {
        const span = await loadVersionSet(model);
        fallback = span.fallback;
        text = output.text;
        const result = attributeSpans({ index: span.index, tokenizer: ctx.tokenizer, text });
        // Our tokenizer's count of the text sent (verifiable from the output), capped by max_tokens, which
        // the admission reserved credit for.
        outputTokens = Math.min(result.outputTokens, output.maxTokens);
        inputTokens = counted ?? ctx.tokenizer.encode(prompt).length;
        attribution = result.contributions;
        algorithm = {
          algorithm: SPAN_ALGORITHM,
          params: {
            tokenizer: result.tokenizer,
            minTokens: result.params.minTokens ?? DEFAULT_SPAN_PARAMETERS.minTokens,
            maxCount: result.params.maxCount ?? DEFAULT_SPAN_PARAMETERS.maxCount,
          },
          contributions: attribution,
        };
      }
      const price = computePrice(model.pricing, outputTokens, inputTokens);
      const paid =
        attribution.length > 0
          ? attribution.map((a) => a.contributionId)
          : fallback.map((f) => f.contributionId);
      const split = splitFee({
        price,
        protocolFeeBps,
        ...(agent ? { agentFeeBps: agent.feeBps, agentOperator: agent.operator } : {}),
        split: model.split,
        attribution,
        contributions: await payouts(paid),
        fallback,
        treasury,
        owner: model.owner,
      });
      const node = chain.walletClient.account.address;
      const receipt: Receipt = {
        version: 1,
        id,
        payer,
        modelId: model.modelId,
        ...(agent ? { agentId: agent.agentId } : {}),
        datanetVersions: model.trainedOn.map((t) => ({ datanetId: t.datanetId, version: BigInt(t.version) })),
        inputHash: `0x${sha256(prompt)}`,
        outputHash: `0x${sha256(text)}`,
        inputTokens,
        outputTokens,
        pricing: model.pricing,
        split: model.split,
        protocolFeeBps,
        agentFeeBps: agent?.feeBps ?? 0,
        price,
        agentFee: split.agentFee,
        charged: split.charged,
        parts: split.parts,
        attribution: algorithm,
        timestamp: Math.floor(Date.now() / 1000),
        node,
      };
      const canonical = canonicalJson(receiptToJson(receipt));
      const w0 = performance.now();
      const { hash, signature } = await writeReceipt(
        chain,
        {
          id,
          payer: payer.toLowerCase(),
          model_id: Number(model.modelId),
          created_at: new Date().toISOString(),
          price: price.toString(),
          charged: split.charged.toString(),
          receipt_json: canonical,
          hash: "",
          signature: "",
          output: text,
          input: prompt,
          epoch: null,
        },
        split.charged,
      );
      const writeMs = performance.now() - w0;
      return {
        receipt,
        writeMs,
        get json() {
          return JSON.parse(canonical) as Record<string, unknown>;
        },
        canonical,
        hash,
        signature,
      };
    },
  };
}
