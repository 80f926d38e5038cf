import type { Receipt } from "@tributary/core";
import type { ChainContext, NodeContext } from "../../context/NodeContext.ts";
import { type ModelTerms, modelTermsHistory } from "../../indexer/handlers/models.ts";

/**
 * How far a receipt's timestamp may be from a terms change and still be served under the terms on either side
 * of it: the gateway sees a change through its indexer (poll interval, confirmations), and the receipt's
 * timestamp is the node's clock, not the chain's.
 */
export const TERMS_GRACE_SECONDS = 300;

const lower = (s: string) => s.toLowerCase();

/**
 * The terms a receipt was served under, from the model's terms over time (ModelRegistry's changes, the
 * indexer's `model_terms`, each from the timestamp of the block that made it): those in effect at its
 * timestamp, or within `TERMS_GRACE_SECONDS` of it (a gateway learns of a change through its indexer, and its
 * clock is not the chain's); among those, the ones the receipt names when they are one of them. Histories and
 * block times are cached for the verification.
 */
export function createServedTerms(
  ctx: NodeContext,
  chain: ChainContext,
): (receipt: Receipt) => Promise<{ terms: ModelTerms } | undefined> {
  const histories = new Map<string, { terms: ModelTerms; from: number }[]>();
  const blockTimes = new Map<number, number>();
  const historyOf = async (modelId: bigint) => {
    let history = histories.get(modelId.toString());
    if (!history) {
      history = [];
      for (const terms of await modelTermsHistory(ctx.db, modelId)) {
        let from = blockTimes.get(terms.blockNumber);
        if (from === undefined) {
          const block = await chain.publicClient.getBlock({ blockNumber: BigInt(terms.blockNumber) });
          from = Number(block.timestamp);
          blockTimes.set(terms.blockNumber, from);
        }
        history.push({ terms, from });
      }
      histories.set(modelId.toString(), history);
    }
    return history;
  };
  return async (receipt) => {
    const history = await historyOf(receipt.modelId);
    if (history.length === 0) return undefined;
    const t = receipt.timestamp;
    const candidates = history.filter(
      (v, i) =>
        v.from - TERMS_GRACE_SECONDS <= t &&
        (i + 1 === history.length || t <= (history[i + 1] as { from: number }).from + TERMS_GRACE_SECONDS),
    );
    const owner = receipt.parts.find((p) => p.role === "owner")?.account;
    const same = (v: { terms: ModelTerms }) =>
      v.terms.pricing.perCall === receipt.pricing.perCall &&
      v.terms.pricing.per1kOutputTokens === receipt.pricing.per1kOutputTokens &&
      v.terms.pricing.per1kInputTokens === receipt.pricing.per1kInputTokens &&
      v.terms.split.ownerBps === receipt.split.ownerBps &&
      v.terms.split.dataBps === receipt.split.dataBps &&
      (owner === undefined || lower(owner) === lower(v.terms.owner));
    return (
      candidates.find(same) ??
      candidates.at(-1) ??
      (t < (history[0] as { from: number }).from ? history[0] : history.at(-1))
    );
  };
}
