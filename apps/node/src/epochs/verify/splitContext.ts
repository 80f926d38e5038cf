import type { ContributionPayout, Receipt, SplitContext } from "@tributary/core";
import { getAgent, getModel, getProtocolFeeBps, getSettlementTreasury } from "@tributary/sdk";
import { type Address, getAddress } from "viem";
import type { VersionSetIndex } from "../../attribution/versionSetIndexes.ts";
import type { ChainContext, NodeContext } from "../../context/NodeContext.ts";
import type { Differences } from "./differences.ts";
import { createServedTerms } from "./servedTerms.ts";

/**
 * Step 3a: what a receipt's price and split are recomputed with, known independently of the bundle: the
 * pricing, split and owner the model was served under (see `createServedTerms`), the protocol fee and treasury
 * from Settlement, the agent's operator from AgentRegistry, each contribution's payout address from this
 * node's projection of the chain. Cached per model, agent and contribution for the verification. Notes a
 * difference when the receipt was served after its model was deprecated.
 */
export async function createSplitContext(
  ctx: NodeContext,
  chain: ChainContext,
  versionSetOf: (receipt: Receipt) => Promise<VersionSetIndex>,
  differences: Differences,
): Promise<(receipt: Receipt) => Promise<SplitContext>> {
  const treasury = getAddress(await getSettlementTreasury(chain.sdk));
  const protocolFeeBps = Number(await getProtocolFeeBps(chain.sdk));
  const models = new Map<string, Awaited<ReturnType<typeof getModel>>>();
  const agents = new Map<string, Address>();
  const payouts = new Map<string, ContributionPayout>();
  const termsOf = createServedTerms(ctx, chain);

  const payoutOf = async (ids: Iterable<bigint>): Promise<Map<bigint, ContributionPayout>> => {
    const out = new Map<bigint, ContributionPayout>();
    const missing = [...ids].filter((id) => !payouts.has(id.toString()));
    for (let i = 0; i < missing.length; i += 500) {
      const rows = await ctx.db
        .selectFrom("contributions")
        .leftJoin("payout_addresses", "payout_addresses.contributor", "contributions.contributor")
        .select(["contributions.id", "contributions.contributor", "payout_addresses.payout"])
        .where("contributions.id", "in", missing.slice(i, i + 500).map(Number))
        .execute();
      for (const r of rows) payouts.set(String(r.id), { payout: getAddress(r.payout ?? r.contributor) });
    }
    for (const id of ids) {
      const p = payouts.get(id.toString());
      if (p) out.set(id, p);
    }
    return out;
  };

  return async (receipt) => {
    const key = receipt.modelId.toString();
    let model = models.get(key);
    if (!model) {
      model = await getModel(chain.sdk, { modelId: receipt.modelId });
      models.set(key, model);
    }
    const served = await termsOf(receipt);
    if (served?.terms.deprecated) {
      differences.add({
        receiptId: receipt.id,
        field: "model",
        expected: `model ${receipt.modelId} in service`,
        actual: "served after the model was deprecated on chain",
      });
    }
    const terms = served?.terms ?? {
      owner: model.owner as Address,
      pricing: model.pricing,
      split: { ownerBps: Number(model.split.ownerBps), dataBps: Number(model.split.dataBps) },
    };
    let agentOperator: Address | undefined;
    if (receipt.agentId !== undefined) {
      const a = receipt.agentId.toString();
      if (!agents.has(a))
        agents.set(a, getAddress((await getAgent(chain.sdk, { agentId: receipt.agentId })).operator));
      agentOperator = agents.get(a);
    }
    const { fallback } = await versionSetOf(receipt);
    const ids = new Set<bigint>([
      ...fallback.map((f) => f.contributionId),
      ...receipt.attribution.contributions.map((c) => c.contributionId),
    ]);
    return {
      treasury,
      owner: getAddress(terms.owner),
      ...(agentOperator ? { agentOperator } : {}),
      contributions: await payoutOf(ids),
      fallback,
      pricing: {
        perCall: terms.pricing.perCall,
        per1kOutputTokens: terms.pricing.per1kOutputTokens,
        per1kInputTokens: terms.pricing.per1kInputTokens,
      },
      split: terms.split,
      protocolFeeBps,
    };
  };
}
