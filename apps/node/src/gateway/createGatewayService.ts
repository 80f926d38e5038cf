import { randomBytes } from "node:crypto";
import type { InfiniGramGeneration } from "@tributary/core";
import type { Address, Hex } from "viem";
import type { NodeContext } from "../context/NodeContext.ts";
import { type AdmitParameters, createAdmission, type Reservation } from "./charging/createAdmission.ts";
import { type AgentTerms, createAgentResolver } from "./charging/createAgentResolver.ts";
import { createHeldAdmission } from "./charging/createHeldAdmission.ts";
import { createPayerTotals } from "./charging/createPayerTotals.ts";
import { createPayouts } from "./charging/createPayouts.ts";
import { createSettlementRates } from "./charging/createSettlementRates.ts";
import { type GatewayStats, gatewayDeps } from "./gatewayDeps.ts";
import { createLanguageModels, type GenerateParameters } from "./inference/createLanguageModels.ts";
import type { ChatMessage } from "./inference/renderChatPrompt.ts";
import type { ApiKeyView, AuthenticatedKey, KeyCache } from "./keys/apiKeys.ts";
import { authenticate } from "./keys/authenticate.ts";
import { type CreateApiKeyOptions, createApiKey } from "./keys/createApiKey.ts";
import { type ListApiKeysParameters, listApiKeys } from "./keys/listApiKeys.ts";
import { revokeApiKey } from "./keys/revokeApiKey.ts";
import { createModelCatalog } from "./models/createModelCatalog.ts";
import { registerExternalModel } from "./models/registerExternalModel.ts";
import { registerInfinigramModel } from "./models/registerInfinigramModel.ts";
import { registerLlamaModel } from "./models/registerLlamaModel.ts";
import type {
  GatewayModel,
  RegisterExternalModelParameters,
  RegisterInfinigramModelParameters,
  RegisterLlamaModelParameters,
} from "./models/types.ts";
import { createReceiptStore } from "./receipts/createReceiptStore.ts";
import { type SettleParameters, type SignedReceipt, settle } from "./receipts/settle.ts";

export type { AgentTerms } from "./charging/createAgentResolver.ts";
export type { GatewayStats } from "./gatewayDeps.ts";
export type { GenerateParameters } from "./inference/createLanguageModels.ts";
export { API_KEY_PREFIX, type ApiKeyView, type AuthenticatedKey } from "./keys/apiKeys.ts";
export type {
  GatewayModel,
  RegisterExternalModelParameters,
  RegisterInfinigramModelParameters,
  RegisterLlamaModelParameters,
  TrainedOnVersion,
} from "./models/types.ts";
export type { GatewayOutput, SettleParameters, SignedReceipt } from "./receipts/settle.ts";

/** Default requests per minute per API key (node config `gateway.rateLimitPerMinute` overrides it). */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** The gateway's services: keys, models, agents, credit, generation and durable signed receipts. */
export type GatewayService = {
  /** Creates an API key for `payer`; the plaintext is returned once, only its sha-256 is stored. */
  createApiKey(payer: Address, options?: CreateApiKeyOptions): Promise<ApiKeyView & { key: string }>;
  /** Keys, oldest first, optionally of one payer; `cursor` is the previous page's `nextCursor`. */
  listApiKeys(params: ListApiKeysParameters): Promise<{ items: ApiKeyView[]; nextCursor: string | null }>;
  /** Revokes a key by id; false when there is no such key. */
  revokeApiKey(id: string): Promise<boolean>;
  /** The key of a plaintext API key, or undefined when unknown or revoked. */
  authenticate(key: string): Promise<AuthenticatedKey | undefined>;
  /** Registers the built-in ∞-gram model over a published version on chain and records it. */
  registerInfinigramModel(params: RegisterInfinigramModelParameters): Promise<GatewayModel>;
  /** Registers an external (OpenAI-compatible upstream) model on chain with its trained-on versions. */
  registerExternalModel(params: RegisterExternalModelParameters): Promise<GatewayModel>;
  /**
   * Registers a local llama model (base GGUF + optional LoRA adapter GGUF), loading its files now; see
   * `registerLlamaModel`.
   */
  registerLlamaModel(params: RegisterLlamaModelParameters): Promise<GatewayModel>;
  listModels(): Promise<GatewayModel[]>;
  /** A model to serve, by name (or decimal on-chain id); throws 404 `MODEL_NOT_FOUND`, 410 `MODEL_DEPRECATED`. */
  getModel(name: string): Promise<GatewayModel>;
  /** A model to describe (`GET /v1/models/{id}`), deprecated or not; throws 404 `MODEL_NOT_FOUND`. */
  findModel(name: string): Promise<GatewayModel>;
  /** Sum of every receipt charged to `payer` (exact, from the database). */
  chargedSoFar(payer: Address): Promise<bigint>;
  /** What admission counts as the payer's charges (its in-memory total once read; see `createPayerTotals`). */
  chargedOf(payer: Address): Promise<bigint>;
  /** The agent's terms for `model`; 400 `UNKNOWN_AGENT`, 403 `AGENT_INACTIVE` / `AGENT_MODEL_NOT_ALLOWED`. */
  resolveAgent(agentId: bigint, model: GatewayModel): Promise<AgentTerms>;
  /**
   * Refuses (402) a payer with a pending withdrawal or whose credit (deposited − withdrawn − charged −
   * reserved) cannot cover `maxCharge(pricing, maxTokens, inputTokens, agentFeeBps)`; otherwise reserves that
   * amount until `release`. Deposits come from the indexer's `payers` projection; when it says no, the chain is
   * read once. `inputTokens` is the prompt's count from `checkPrompt` (its price is known before serving).
   */
  admit(payer: Address, model: GatewayModel, params: AdmitParameters): Promise<Reservation>;
  /** Runs the ∞-gram model. */
  generate(model: GatewayModel, params: GenerateParameters): Promise<InfiniGramGeneration>;
  /**
   * The ∞-gram's input for a chat: the rendered conversation followed by the focus of the last user message
   * (its run of words found in the model's corpus), so that the answer continues a passage the question names.
   */
  chatPrompt(model: GatewayModel, messages: readonly ChatMessage[]): Promise<string>;
  /** Prices, attributes (external outputs), splits, signs and durably stores the receipt (charging the payer). */
  settle(params: SettleParameters): Promise<SignedReceipt>;
  /** A fresh random receipt id. */
  newReceiptId(): Hex;
  stats(): GatewayStats;
};

/**
 * Creates the gateway service over the node context, composed of its parts: keys (`keys/`), models
 * (`models/`), credit and charging (`charging/`), local inference (`inference/`) and receipts (`receipts/`).
 * Money is bigint throughout; prices and splits come from `@tributary/core`'s settlement core; every receipt
 * is signed with the node key and inserted (together with the payer's running total) in a transaction that
 * commits before the caller answers. Receipts settling at the same time share one transaction (group commit:
 * one fsync for the batch, each caller still waits for it).
 *
 * @example
 * const gateway = createGatewayService(ctx);
 * const { key } = await gateway.createApiKey(payer);
 */
export function createGatewayService(ctx: NodeContext): GatewayService {
  const deps = gatewayDeps(ctx);
  const { db } = deps;
  const keys: KeyCache = new Map();
  const models = createModelCatalog(deps);
  const totals = createPayerTotals(db, { cache: ctx.dialect !== "postgres" });
  // An epoch's quarantine gives charges back in the database: forget the totals held in memory.
  ctx.payerChargesChanged?.add((payers) => totals.forget(payers));
  const lms = createLanguageModels(deps);
  const store = createReceiptStore(deps, totals.onCommitted);
  const settleDeps = {
    deps,
    rates: createSettlementRates(ctx),
    lms,
    payouts: createPayouts(db),
    store,
  };
  return {
    createApiKey: (payer, options) => createApiKey(db, payer, options),
    listApiKeys: (params) => listApiKeys(db, params),
    revokeApiKey: (id) => revokeApiKey(db, keys, id),
    authenticate: (key) => authenticate(db, keys, key),
    registerInfinigramModel: (params) => registerInfinigramModel(deps, models, params),
    registerExternalModel: (params) => registerExternalModel(deps, models, params),
    registerLlamaModel: (params) => registerLlamaModel(deps, models, params),
    listModels: () => models.listModels(),
    getModel: (name) => models.getModel(name),
    findModel: (name) => models.findModel(name),
    chargedSoFar: (payer) => totals.chargedSoFar(payer),
    chargedOf: (payer) => totals.chargedOf(payer.toLowerCase()),
    resolveAgent: createAgentResolver(ctx),
    // One process on SQLite: holds in memory. Replicas on PostgreSQL: holds in the database (docs/replicas.md).
    admit: ctx.dialect === "postgres" ? createHeldAdmission(deps) : createAdmission(deps, totals),
    generate: (model, params) => lms.generate(model, params),
    chatPrompt: (model, messages) => lms.chatPrompt(model, messages),
    settle: (params) => settle(settleDeps, params),
    newReceiptId: () => `0x${randomBytes(32).toString("hex")}`,
    stats: () => store.stats(),
  };
}
