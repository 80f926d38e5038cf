import { createHash } from "node:crypto";
import {
  attributeSpans,
  type ContributionShare,
  canonicalJson,
  computePrice,
  DEFAULT_SPAN_PARAMETERS,
  type FallbackContribution,
  type InfiniGramGeneration,
  type Receipt,
  receiptToJson,
  SPAN_ALGORITHM,
  splitFee,
} from "@tributary/core";
import type { Address, Hex } from "viem";
import type { AgentTerms } from "../charging/createAgentResolver.ts";
import type { SettlementRates } from "../charging/createSettlementRates.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import type { LanguageModels } from "../inference/createLanguageModels.ts";
import type { GatewayModel } from "../models/types.ts";
import { requireChain } from "../requireChain.ts";
import type { ReceiptStore } from "./createReceiptStore.ts";

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

/** What a request produced, to be charged. */
export type GatewayOutput =
  | { kind: "infinigram"; generation: InfiniGramGeneration }
  | {
      kind: "external";
      /** The text sent to the client (all of it, or what was streamed before a disconnect). */
      text: string;
      /** The request's max_tokens: the charged token count never exceeds it (the admission reserved it). */
      maxTokens: number;
      /** Output tokens counted by the model's own tokenizer (local llama models); absent = our tokenizer's count. */
      outputTokens?: number;
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

/** What `settle` uses: rates, models, payout addresses and the receipt store. */
export type SettleDeps = {
  deps: GatewayDeps;
  rates: () => Promise<SettlementRates>;
  lms: LanguageModels;
  payouts: (ids: readonly bigint[]) => Promise<Map<bigint, { payout: Address }>>;
  store: ReceiptStore;
};

const sha256 = (data: string): string => createHash("sha256").update(data, "utf8").digest("hex");

/**
 * The attribution of the output: the ∞-gram's own (exact), or span attribution of an external (or local llama)
 * model's text over its trained-on versions' index.
 */
async function attributionOf(
  { deps, lms }: SettleDeps,
  model: GatewayModel,
  prompt: string,
  counted: number | undefined,
  output: GatewayOutput,
): Promise<{
  outputTokens: number;
  inputTokens: number;
  text: string;
  attribution: readonly ContributionShare[];
  fallback: FallbackContribution[];
  algorithm: Receipt["attribution"];
}> {
  if (output.kind === "infinigram") {
    const g = output.generation;
    const p = g.params;
    return {
      fallback: (await lms.loadLm(model)).fallback,
      outputTokens: g.tokens.length,
      inputTokens: g.promptTokens,
      text: g.text,
      attribution: g.contributions,
      algorithm: {
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
        contributions: g.contributions,
      },
    };
  }
  const span = await lms.loadVersionSet(model);
  const text = output.text;
  const result = attributeSpans({ index: span.index, tokenizer: deps.ctx.tokenizer, text });
  return {
    fallback: span.fallback,
    text,
    // Our tokenizer's count of the text sent (verifiable from the output), capped by max_tokens, which
    // the admission reserved credit for.
    outputTokens: Math.min(output.outputTokens ?? result.outputTokens, output.maxTokens),
    inputTokens: counted ?? deps.ctx.tokenizer.encode(prompt).length,
    attribution: result.contributions,
    algorithm: {
      algorithm: SPAN_ALGORITHM,
      params: {
        tokenizer: result.tokenizer,
        minTokens: result.params.minTokens ?? DEFAULT_SPAN_PARAMETERS.minTokens,
        maxCount: result.params.maxCount ?? DEFAULT_SPAN_PARAMETERS.maxCount,
      },
      contributions: result.contributions,
    },
  };
}

/**
 * Prices, attributes (external outputs), splits, signs and durably stores the receipt (charging the payer).
 *
 * @example
 * const signed = await settle(parts, { id, payer, model, prompt, output: { kind: "infinigram", generation } });
 */
export async function settle(parts: SettleDeps, params: SettleParameters): Promise<SignedReceipt> {
  const { id, payer, model, prompt, inputTokens: counted, output, agent } = params;
  const chain = requireChain(parts.deps.ctx);
  const { protocolFeeBps, treasury } = await parts.rates();
  const { outputTokens, inputTokens, text, attribution, fallback, algorithm } = await attributionOf(
    parts,
    model,
    prompt,
    counted,
    output,
  );
  const price = computePrice(model.pricing, outputTokens, inputTokens);
  const paid =
    attribution.length > 0 ? attribution.map((a) => a.contributionId) : fallback.map((f) => f.contributionId);
  const split = splitFee({
    price,
    protocolFeeBps,
    ...(agent ? { agentFeeBps: agent.feeBps, agentOperator: agent.operator } : {}),
    split: model.split,
    attribution,
    contributions: await parts.payouts(paid),
    fallback,
    treasury,
    owner: model.owner,
  });
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
    node: chain.walletClient.account.address,
  };
  const canonical = canonicalJson(receiptToJson(receipt));
  const w0 = performance.now();
  const { hash, signature } = await parts.store.writeReceipt(
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
}
