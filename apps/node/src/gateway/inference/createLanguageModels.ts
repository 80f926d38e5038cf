import {
  createInfiniGram,
  type FallbackContribution,
  type InfiniGram,
  type InfiniGramGeneration,
} from "@tributary/core";
import { ApiError } from "../../api/ApiError.ts";
import { MissingVersionIndexError, type VersionSetIndex } from "../../attribution/versionSetIndexes.ts";
import type { GatewayDeps } from "../gatewayDeps.ts";
import type { GatewayModel } from "../models/types.ts";
import { chatPrompt } from "./chatPrompt.ts";
import type { ChatMessage } from "./renderChatPrompt.ts";

/** Sampling parameters of one request. */
export type GenerateParameters = { prompt: string; maxTokens: number; temperature: number; seed: bigint };

/** The ∞-gram models over the trained-on versions' indexes, built once per version set. */
export type LanguageModels = {
  /** The index of the model's trained-on versions (their union for several); 503 `INDEX_MISSING`. */
  loadVersionSet(model: GatewayModel): Promise<VersionSetIndex>;
  /** The ∞-gram over the model's index, and the fallback contributions (paid when nothing is attributed). */
  loadLm(model: GatewayModel): Promise<{ lm: InfiniGram; fallback: FallbackContribution[] }>;
  /** Runs the ∞-gram model. */
  generate(model: GatewayModel, params: GenerateParameters): Promise<InfiniGramGeneration>;
  /** The ∞-gram's input for a chat: the rendered conversation and the focus of the last user message (`chatPrompt`). */
  chatPrompt(model: GatewayModel, messages: readonly ChatMessage[]): Promise<string>;
};

/**
 * Creates the gateway's local inference: an ∞-gram per version set, cached while the set's index is the same.
 *
 * @example
 * const lms = createLanguageModels(deps);
 * const g = await lms.generate(model, { prompt: "Call me", maxTokens: 16, temperature: 0, seed: 0n });
 */
export function createLanguageModels(deps: GatewayDeps): LanguageModels {
  const lms = new Map<string, { set: VersionSetIndex; lm: InfiniGram; fallback: FallbackContribution[] }>();

  async function loadVersionSet(model: GatewayModel): Promise<VersionSetIndex> {
    try {
      return await deps.versionSets.load(model.trainedOn);
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

  async function loadLm(model: GatewayModel) {
    const set = await loadVersionSet(model);
    const hit = lms.get(set.key);
    if (hit && hit.set === set) return hit;
    const entry = {
      set,
      lm: createInfiniGram({ index: set.index, tokenizer: deps.ctx.tokenizer }),
      fallback: set.fallback,
    };
    lms.set(set.key, entry);
    return entry;
  }

  return {
    loadVersionSet,
    loadLm,
    async chatPrompt(model, messages) {
      const { set } = await loadLm(model);
      return chatPrompt({ index: set.index, tokenizer: deps.ctx.tokenizer, messages }).prompt;
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
  };
}
