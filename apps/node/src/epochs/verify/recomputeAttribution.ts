import {
  type AttributionIndex,
  attributeSpans,
  createInfiniGram,
  INFINIGRAM_ALGORITHM,
  type InfiniGram,
  type Receipt,
  type RecomputedAttribution,
  SPAN_ALGORITHM,
} from "@tributary/core";
import type { VersionSetIndex } from "../../attribution/versionSetIndexes.ts";
import type { NodeContext } from "../../context/NodeContext.ts";
import type { Differences } from "./differences.ts";
import { VerifyInputError } from "./errors.ts";

/** A pluggable attribution recomputation (external models' `span-v1`, registered by the gateway). */
export type AttributionEngine = (args: {
  receipt: Receipt;
  input: string;
  output: string;
  /** The index of the receipt's datanet versions (their union for several; see `unionIndex`). */
  index: AttributionIndex;
  ctx: NodeContext;
}) => RecomputedAttribution | Promise<RecomputedAttribution>;

/** span-v1 over the receipt's datanet versions (what external models are attributed with). */
const spanV1: AttributionEngine = ({ receipt, output, index, ctx }) => {
  const p = receipt.attribution.params;
  const a = attributeSpans({
    index,
    tokenizer: ctx.tokenizer,
    text: output,
    ...(p.minTokens !== undefined ? { minTokens: Number(p.minTokens) } : {}),
    ...(p.maxCount !== undefined ? { maxCount: Number(p.maxCount) } : {}),
  });
  return {
    algorithm: a.algorithm,
    params: { tokenizer: a.tokenizer, minTokens: a.params.minTokens, maxCount: a.params.maxCount },
    contributions: a.contributions,
  };
};

/**
 * Step 3b: recomputes a receipt's attribution from its input and output (the texts of the bundle line being
 * read, given by `texts`): the ∞-gram generation re-run on the receipt's datanet versions (a different output is
 * a difference), or the algorithm's engine (`span-v1`, or one in `ctx.attributionEngines`).
 *
 * @throws {VerifyInputError} when the algorithm is one this node cannot recompute.
 */
export function createAttributionRecomputer(
  ctx: NodeContext,
  versionSetOf: (receipt: Receipt) => Promise<VersionSetIndex>,
  texts: () => { input: string; output: string },
  differences: Differences,
): (receipt: Receipt) => Promise<RecomputedAttribution> {
  const engines = new Map<string, InfiniGram>();
  return async (receipt) => {
    const line = texts();
    const algorithm = receipt.attribution.algorithm;
    if (algorithm === INFINIGRAM_ALGORITHM) {
      const set = await versionSetOf(receipt);
      let lm = engines.get(set.key);
      if (!lm) {
        lm = createInfiniGram({ index: set.index, tokenizer: ctx.tokenizer });
        engines.set(set.key, lm);
      }
      const p = receipt.attribution.params;
      if (receipt.outputTokens === 0) return { algorithm, contributions: [] };
      const generation = lm.generate({
        prompt: line.input,
        maxTokens: Number(p.maxTokens),
        temperature: Number(p.temperature),
        topK: Number(p.topK),
        seed: BigInt(String(p.seed)),
        minCount: Number(p.minCount),
        stopAtSentence: Boolean(p.stopAtSentence),
      });
      if (generation.text !== line.output) {
        differences.add({
          receiptId: receipt.id,
          field: "output",
          expected: `the model's generation (${generation.tokens.length} tokens)`,
          actual: `a different text (${receipt.outputTokens} tokens)`,
        });
      }
      return {
        algorithm,
        params: {
          tokenizer: generation.tokenizer,
          maxTokens: generation.params.maxTokens,
          temperature: generation.params.temperature,
          topK: generation.params.topK,
          seed: generation.params.seed.toString(),
          minCount: generation.params.minCount,
          stopAtSentence: generation.params.stopAtSentence,
        },
        contributions: generation.contributions,
      };
    }
    const engine = ctx.attributionEngines?.[algorithm] ?? (algorithm === SPAN_ALGORITHM ? spanV1 : undefined);
    if (!engine) {
      throw new VerifyInputError(
        `receipt ${receipt.id} uses attribution algorithm '${algorithm}', which this node cannot recompute`,
        "Verify on a node that knows the algorithm.",
      );
    }
    return engine({
      receipt,
      input: line.input,
      output: line.output,
      index: (await versionSetOf(receipt)).index,
      ctx,
    });
  };
}
