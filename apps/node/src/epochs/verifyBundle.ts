import { createHash } from "node:crypto";
import {
  type AttributionIndex,
  attributeSpans,
  buildCumulativeTree,
  type ContributionPayout,
  createInfiniGram,
  type EpochDifference,
  INFINIGRAM_ALGORITHM,
  type InfiniGram,
  type Receipt,
  type RecomputedAttribution,
  receiptFromJson,
  receiptHash,
  receiptSignatureProblem,
  SPAN_ALGORITHM,
  type SplitContext,
  verifyEpoch,
} from "@tributary/core";
import {
  type EpochReport,
  getAgent,
  getModel,
  getProtocolFeeBps,
  getSettlementTreasury,
} from "@tributary/sdk";
import { type Address, getAddress, type Hex } from "viem";
import {
  createVersionSetIndexes,
  MissingVersionIndexError,
  type VersionSetIndex,
} from "../attribution/versionSetIndexes.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import { type ModelTerms, modelTermsHistory } from "../indexer/handlers/models.ts";
import { BundleFormatError, type BundleLine, type BundleReportLine } from "./bundle.ts";
import { listDepositors } from "./chainReads.ts";

/** What `verifyBundle` concludes. Differences name the receipt when they are in one. */
export type BundleVerification = {
  ok: boolean;
  epoch: number;
  receiptCount: number;
  differences: EpochDifference[];
  truncated: boolean;
  checkedAt: string;
};

/** Parameters of {@link verifyBundle}. */
export type VerifyBundleParameters = {
  /** The report to check the bundle against (on chain, or the one a peer asks to co-sign). */
  report: EpochReport;
  /** The bundle, line by line. */
  lines: AsyncIterable<BundleLine>;
  /** Opens another bundle by CID (the previous epoch's, whose leaves are this epoch's starting totals). */
  openBundle: (cid: string) => Promise<AsyncIterable<BundleLine>>;
  /** The cumulative report the previous epoch finalized on chain (roots and totals), when there is one. */
  previousOnChain?: { epoch: bigint; chargesRoot: Hex; rewardsRoot: Hex } | undefined;
  /**
   * Gives this node the index of a version it lacks (see `fetchVersionIndex`: from other nodes, checked
   * against the chain); without it, a missing index stops the verification with `VerifyInputError`.
   */
  fetchVersion?: (datanetId: bigint, version: number) => Promise<unknown>;
  maxDifferences?: number;
  /**
   * The number of receipts the bundle's sender announced (a co-sign request): reading stops with a difference
   * past it, so a crafted bundle cannot cost more verification work than the request it came with claimed.
   */
  maxReceipts?: number;
};

const sha256 = (s: string): Hex => `0x${createHash("sha256").update(s, "utf8").digest("hex")}`;
const lower = (s: string) => s.toLowerCase();

/**
 * Recomputes an epoch from its bundle and compares it with `report`: every receipt's canonical form, hash,
 * node signature, input and output hashes, the generation and its attribution (re-run on this node's copy
 * of the datanet version index), price and split (with pricing, split, protocol fee, treasury, owner, agent
 * and payout addresses read from the chain and this node's projection of it), then both cumulative trees
 * from the previous epoch's leaves plus this epoch, the receipts root and the totals. It also checks the
 * bundle's own payer and leaf lines (what the node serves proofs from) against the recomputation.
 */
export async function verifyBundle(
  ctx: NodeContext,
  chain: ChainContext,
  params: VerifyBundleParameters,
): Promise<BundleVerification> {
  const { report } = params;
  const differences: EpochDifference[] = [];
  const max = params.maxDifferences ?? 1000;
  let truncated = false;
  const diff = (d: EpochDifference) => {
    if (differences.length < max) differences.push(d);
    else truncated = true;
  };
  const finish = (receiptCount: number): BundleVerification => ({
    ok: differences.length === 0,
    epoch: Number(report.epoch),
    receiptCount,
    differences,
    truncated,
    checkedAt: new Date().toISOString(),
  });

  const iterator = params.lines[Symbol.asyncIterator]();
  let receiptCount = 0;
  try {
    const first = await iterator.next();
    const header = first.value as BundleLine | undefined;
    if (first.done || header?.type !== "header") throw new BundleFormatError(1, "no header");
    if (header.chainId !== chain.chainId) {
      diff({ field: "header.chainId", expected: String(chain.chainId), actual: String(header.chainId) });
    }
    if (lower(header.settlement) !== lower(chain.deployment.contracts.settlement)) {
      diff({
        field: "header.settlement",
        expected: chain.deployment.contracts.settlement,
        actual: header.settlement,
      });
    }
    if (header.epoch !== report.epoch.toString()) {
      diff({ field: "header.epoch", expected: report.epoch.toString(), actual: header.epoch });
    }
    const previousEpoch = BigInt(header.previousEpoch);
    if (previousEpoch !== report.epoch - 1n) {
      diff({
        field: "header.previousEpoch",
        expected: (report.epoch - 1n).toString(),
        actual: header.previousEpoch,
      });
    }
    // Starting totals: the previous bundle's leaves, which must be the report finalized on chain.
    const previous = { charges: new Map<Address, bigint>(), rewards: new Map<Address, bigint>() };
    if (previousEpoch > 0n) {
      if (!header.previousBundleCid) {
        diff({ field: "header.previousBundleCid", expected: "the previous epoch's bundle", actual: "" });
      } else {
        let previousReport: BundleReportLine | undefined;
        for await (const line of await params.openBundle(header.previousBundleCid)) {
          if (line.type === "charge") previous.charges.set(getAddress(line.account), BigInt(line.amount));
          if (line.type === "reward") previous.rewards.set(getAddress(line.account), BigInt(line.amount));
          if (line.type === "report") previousReport = line;
        }
        const onChain = params.previousOnChain;
        const chargesRoot = previous.charges.size
          ? buildCumulativeTree(toEntries(previous.charges)).root
          : undefined;
        const rewardsRoot = previous.rewards.size
          ? buildCumulativeTree(toEntries(previous.rewards)).root
          : undefined;
        if (!onChain || onChain.epoch !== previousEpoch) {
          diff({
            field: "previous.finalized",
            expected: `epoch ${previousEpoch} finalized on chain`,
            actual: onChain ? `epoch ${onChain.epoch}` : "none",
          });
        } else {
          if ((chargesRoot ?? previousReport?.chargesRoot) !== onChain.chargesRoot) {
            diff({
              field: "previous.chargesRoot",
              expected: onChain.chargesRoot,
              actual: String(chargesRoot),
            });
          }
          if ((rewardsRoot ?? previousReport?.rewardsRoot) !== onChain.rewardsRoot) {
            diff({
              field: "previous.rewardsRoot",
              expected: onChain.rewardsRoot,
              actual: String(rewardsRoot),
            });
          }
        }
      }
    }
    const payers = await listDepositors(chain, BigInt(header.payersBlock));

    // Independent knowledge for each receipt, cached per model / agent / version set.
    const treasury = getAddress(await getSettlementTreasury(chain.sdk));
    const protocolFeeBps = Number(await getProtocolFeeBps(chain.sdk));
    const models = new Map<string, Awaited<ReturnType<typeof getModel>>>();
    const agents = new Map<string, Address>();
    const versionSets = createVersionSetIndexes(ctx, { cacheSize: 4 });
    const engines = new Map<string, InfiniGram>();
    const payouts = new Map<string, ContributionPayout>();

    const fetched = new Map<string, string>(); // version → why it could not be fetched ("" when it was)
    const setOf = async (receipt: Receipt): Promise<VersionSetIndex> => {
      for (;;) {
        try {
          return await versionSets.load(receipt.datanetVersions);
        } catch (error) {
          if (!(error instanceof MissingVersionIndexError)) throw error;
          const key = `${error.datanetId}/${error.version}`;
          if (params.fetchVersion && !fetched.has(key)) {
            try {
              await params.fetchVersion(error.datanetId, error.version);
              fetched.set(key, "");
            } catch (failure) {
              fetched.set(key, failure instanceof Error ? failure.message : String(failure));
            }
            continue;
          }
          const why = fetched.get(key);
          throw new VerifyInputError(
            `this node has no index of datanet ${error.datanetId} version ${error.version}${why ? ` (${why})` : ""}`,
            "Index the published version on this node (publish through it, or rebuild it from the version's export), or pass the URL of a node that has it (nodeURL), then verify again.",
          );
        }
      }
    };
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
    // The model's terms over time: ModelRegistry's changes (the indexer's `model_terms`), each from the
    // timestamp of the block that made it.
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
    /**
     * The terms the receipt was served under: those in effect at its timestamp, or within
     * `TERMS_GRACE_SECONDS` of it (a gateway learns of a change through its indexer, and its clock is not the
     * chain's); among those, the ones the receipt names when they are one of them.
     */
    const termsOf = async (receipt: Receipt): Promise<{ terms: ModelTerms } | undefined> => {
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
    const context = async (receipt: Receipt): Promise<SplitContext> => {
      const key = receipt.modelId.toString();
      let model = models.get(key);
      if (!model) {
        model = await getModel(chain.sdk, { modelId: receipt.modelId });
        models.set(key, model);
      }
      const served = await termsOf(receipt);
      if (served?.terms.deprecated) {
        diff({
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
      const { fallback } = await setOf(receipt);
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

    let current: { input: string; output: string } | undefined;
    const recomputeAttribution = async (receipt: Receipt): Promise<RecomputedAttribution> => {
      const line = current as { input: string; output: string };
      const algorithm = receipt.attribution.algorithm;
      if (algorithm === INFINIGRAM_ALGORITHM) {
        const set = await setOf(receipt);
        let lm = engines.get(set.key);
        if (!lm) {
          lm = createInfiniGram({ index: set.index, tokenizer: ctx.tokenizer });
          engines.set(set.key, lm);
        }
        const p = receipt.attribution.params;
        if (receipt.outputTokens === 0) return { algorithm, contributions: [] };
        const generation = (lm as InfiniGram).generate({
          prompt: line.input,
          maxTokens: Number(p.maxTokens),
          temperature: Number(p.temperature),
          topK: Number(p.topK),
          seed: BigInt(String(p.seed)),
          minCount: Number(p.minCount),
          stopAtSentence: Boolean(p.stopAtSentence),
        });
        if (generation.text !== line.output) {
          diff({
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
      const engine =
        ctx.attributionEngines?.[algorithm] ?? (algorithm === SPAN_ALGORITHM ? spanV1 : undefined);
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
        index: (await setOf(receipt)).index,
        ctx,
      });
    };

    const bundlePayers: string[] = [];
    const bundleCharges: { account: Address; amount: bigint }[] = [];
    const bundleRewards: { account: Address; amount: bigint }[] = [];
    let bundleReport: BundleReportLine | undefined;

    async function* receipts(): AsyncGenerator<Receipt> {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const line = next.value;
        if (line.type !== "receipt") {
          // The rest of the bundle: payers, leaves, report.
          let l: BundleLine | undefined = line;
          while (l) {
            if (l.type === "payer") bundlePayers.push(lower(l.account));
            if (l.type === "charge")
              bundleCharges.push({ account: getAddress(l.account), amount: BigInt(l.amount) });
            if (l.type === "reward")
              bundleRewards.push({ account: getAddress(l.account), amount: BigInt(l.amount) });
            if (l.type === "report") bundleReport = l;
            const n = await iterator.next();
            l = n.done ? undefined : n.value;
          }
          return;
        }
        receiptCount++;
        if (params.maxReceipts !== undefined && receiptCount > params.maxReceipts) {
          throw new BundleFormatError(
            receiptCount + 1,
            `more receipts than the ${params.maxReceipts} the request announced`,
          );
        }
        let receipt: Receipt;
        try {
          receipt = receiptFromJson(line.receipt);
        } catch (error) {
          const id = typeof line.receipt?.id === "string" ? (line.receipt.id as Hex) : undefined;
          diff({
            ...(id ? { receiptId: id } : {}),
            field: "receipt",
            expected: "a canonical receipt",
            actual: error instanceof Error ? error.message : String(error),
          });
          continue;
        }
        const hash = receiptHash(receipt);
        if (hash !== line.hash)
          diff({ receiptId: receipt.id, field: "hash", expected: hash, actual: line.hash });
        const problem = await receiptSignatureProblem(receipt, line.signature, receipt.node);
        if (problem) {
          diff({
            receiptId: receipt.id,
            field: "signature",
            expected:
              problem === "HIGH_S_SIGNATURE" ? "a low-s signature (s <= n/2)" : `signed by ${receipt.node}`,
            actual: `${problem}: ${line.signature}`,
          });
        }
        if (sha256(line.input) !== receipt.inputHash) {
          diff({
            receiptId: receipt.id,
            field: "inputHash",
            expected: sha256(line.input),
            actual: receipt.inputHash,
          });
        }
        // Input tokens are priced: recount them from the input with the receipt's tokenizer.
        const inputTokens = ctx.tokenizer.encode(line.input).length;
        if (inputTokens !== receipt.inputTokens) {
          diff({
            receiptId: receipt.id,
            field: "inputTokens",
            expected: String(inputTokens),
            actual: String(receipt.inputTokens),
          });
        }
        if (sha256(line.output) !== receipt.outputHash) {
          diff({
            receiptId: receipt.id,
            field: "outputHash",
            expected: sha256(line.output),
            actual: receipt.outputHash,
          });
        }
        current = { input: line.input, output: line.output };
        yield receipt;
      }
    }

    const result = await verifyEpoch({
      report,
      receipts: receipts(),
      previous,
      payers,
      context,
      recomputeAttribution,
      maxDifferences: max,
    });
    if (!result.ok) {
      for (const d of result.differences) diff(d);
      truncated ||= result.truncated;
    }
    // The bundle's own lines, which proofs are served from, must be what was recomputed.
    const expectedPayers = payers.map(lower);
    if (bundlePayers.join(",") !== expectedPayers.join(",")) {
      diff({ field: "bundle.payers", expected: expectedPayers.join(" "), actual: bundlePayers.join(" ") });
    }
    const root = (entries: { account: Address; amount: bigint }[]) =>
      entries.length ? buildCumulativeTree(entries).root : `0x${"00".repeat(32)}`;
    if (root(bundleCharges) !== report.chargesRoot) {
      diff({ field: "bundle.chargeLeaves", expected: report.chargesRoot, actual: root(bundleCharges) });
    }
    if (root(bundleRewards) !== report.rewardsRoot) {
      diff({ field: "bundle.rewardLeaves", expected: report.rewardsRoot, actual: root(bundleRewards) });
    }
    if (!bundleReport) diff({ field: "bundle.report", expected: "a report line", actual: "absent" });
    if (params.maxReceipts !== undefined && receiptCount !== params.maxReceipts) {
      diff({ field: "receiptCount", expected: String(params.maxReceipts), actual: String(receiptCount) });
    }
    return finish(receiptCount);
  } catch (error) {
    if (error instanceof BundleFormatError || error instanceof VerifyInputError) {
      diff({
        field: error instanceof BundleFormatError ? "bundle" : "verifier",
        expected: error instanceof VerifyInputError ? error.hint : "a well-formed bundle",
        actual: error.message,
      });
      return finish(receiptCount);
    }
    throw error;
  }
}

const toEntries = (m: Map<Address, bigint>) => [...m].map(([account, amount]) => ({ account, amount }));

/**
 * How far a receipt's timestamp may be from a terms change and still be served under the terms on either side
 * of it: the gateway sees a change through its indexer (poll interval, confirmations), and the receipt's
 * timestamp is the node's clock, not the chain's.
 */
export const TERMS_GRACE_SECONDS = 300;

/** The verifier lacks something it needs (an index, an algorithm): not a difference in the bundle. */
export class VerifyInputError extends Error {
  override name = "VerifyInputError";
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

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
