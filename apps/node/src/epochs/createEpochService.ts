import { type EpochReport, getNextEpoch, getPendingEpoch, isVetoed, signEpochReport } from "@tributary/sdk";
import { sql } from "kysely";
import { type Address, getAddress, type Hex } from "viem";
import { ApiError } from "../api/ApiError.ts";
import type { ChainContext, NodeContext } from "../context/NodeContext.ts";
import type { EpochRow } from "../db/schema.ts";
import { attestEpoch, type QuorumRefusal } from "./attestEpoch.ts";
import { bundleEpoch } from "./bundleEpoch.ts";
import { onChainReport } from "./chainReads.ts";
import { createClaimRelayer } from "./claims.ts";
import { cutEpoch } from "./cutEpoch.ts";
import { earningsOf } from "./earnings.ts";
import {
  getEpochRow,
  latestEpochRow,
  latestFinalizedRow,
  requireEpochRow,
  settledUpTo,
  toEpochView,
  updateEpoch,
} from "./epochRecords.ts";
import { payerView } from "./payerView.ts";
import { requirePeerUrl } from "./peerUrl.ts";
import { createProofService } from "./proofs.ts";
import { badReceiptsOf, quarantineAndRecut, quarantinedIn } from "./quarantine.ts";
import { digestOf, reportOf } from "./reportOf.ts";
import { finalizeReport, recordIfOnChain, submitReport } from "./submitReport.ts";
import { verifyReportFromSources } from "./verify/verifyReportFromSources.ts";
import type { BundleVerification } from "./verifyBundle.ts";

/** Options of {@link createEpochService}. */
export type EpochServiceOptions = {
  /** Base URLs of fellow attestors' nodes, asked to co-sign when Settlement's quorum is above 1. */
  peers?: readonly string[] | (() => readonly string[]);
  /** This node's base URL as peers reach it (for them to download bundles); set after `listen()`. */
  publicUrl?: string | (() => string | undefined);
  /** Fetch used for peers (tests pass one). */
  fetch?: typeof fetch;
  /** Called as the bundle is written (receipts so far). */
  onProgress?: (step: string, detail?: Record<string, unknown>) => void;
};

/** Options of a close. */
export type CloseOptions = {
  /**
   * Close even when no receipt waits: an empty epoch repeats the totals (a payer that requested a withdrawal
   * needs a report finalized after its request). Off by default: an empty report only blocks the next close for
   * a challenge window.
   */
  allowEmpty?: boolean;
};

/** The refusal of a close with nothing to settle, saying what the last epoch waits for. */
async function nothingToCloseError(ctx: NodeContext, row: EpochRow | undefined): Promise<ApiError> {
  const withdrawals = await ctx.db
    .selectFrom("payers")
    .select(sql<number>`count(*)`.as("n"))
    .where("withdrawal_requested_at", ">", 0)
    .executeTakeFirstOrThrow();
  const last = row
    ? row.status === "submitted"
      ? `; epoch ${row.epoch} is submitted, its challenge window ends ${new Date((row.challenge_ends_at ?? 0) * 1000).toISOString()}, then finalize it (POST /v1/epochs/${row.epoch}/finalize)`
      : `; epoch ${row.epoch} is ${row.status}`
    : "";
  return new ApiError(
    409,
    "NOTHING_TO_CLOSE",
    `no receipt is waiting for an epoch${last}`,
    `An epoch settles the receipts served since the last one; none were. ${
      withdrawals.n > 0
        ? `${withdrawals.n} payer(s) requested a withdrawal, which needs a report finalized after the request: close an empty epoch with { "allowEmpty": true }.`
        : 'To submit an empty report anyway (e.g. for a payer waiting to withdraw), send { "allowEmpty": true }.'
    }`,
  );
}

const STEPS: EpochRow["status"][] = ["cut", "bundled", "signed", "submitted", "finalized"];

/**
 * Rounds of quarantine and re-cut one close runs at most before it reports the refusal (each round takes at
 * least one more receipt out, so a close cannot loop; a verification reports at most 1000 differences).
 */
const MAX_RECUTS = 5;

/** Whether a close failed because a peer verified the bundle and found differences in it. */
function refusedAsMismatch(error: unknown): boolean {
  if (!(error instanceof ApiError) || error.code !== "QUORUM_NOT_REACHED") return false;
  const cause = error.cause as QuorumRefusal | undefined;
  return cause?.refusedCodes?.includes("BUNDLE_MISMATCH") === true;
}

function requireChain(ctx: NodeContext): ChainContext {
  if (!ctx.chain) {
    throw new ApiError(
      503,
      "NO_CHAIN",
      "epochs need a chain connection",
      "Start the node with a chain config.",
    );
  }
  return ctx.chain;
}

/** Passing verdicts kept by `verify` (one per submitted report). */
const MAX_VERDICTS = 64;

/**
 * Epoch close, finalization, verification, co-signing, proofs, earnings and claims (docs/epochs.md).
 *
 * A close runs `cut → bundled → signed → submitted`, each step durable before the next; `resume()` (run on
 * start and before every close) finishes an interrupted close from the step it reached, and recognises a report
 * that reached the chain before the node could record it, so a crash at any step ends with exactly one
 * report and every receipt counted once. A vetoed report gives its receipts back to the next close.
 *
 * @example
 * const epochs = createEpochService(node.ctx);
 * const view = await epochs.close(); // { epoch: 1, status: "submitted", … }
 */
export function createEpochService(ctx: NodeContext, options: EpochServiceOptions = {}) {
  /** Verdicts of public verifications by report digest (in flight or done), the newest {@link MAX_VERDICTS}. */
  const verdicts = new Map<string, Promise<BundleVerification>>();
  const peersOf = () => (typeof options.peers === "function" ? options.peers() : (options.peers ?? []));
  const publicUrl = () => (typeof options.publicUrl === "function" ? options.publicUrl() : options.publicUrl);
  const progress = options.onProgress ?? (() => {});
  const claimRelayer = createClaimRelayer();
  let chainCtx: ChainContext | undefined;
  const chainOf = () => {
    chainCtx ??= requireChain(ctx);
    return chainCtx;
  };
  let proofService: ReturnType<typeof createProofService> | undefined;
  const proofs = () => {
    proofService ??= createProofService(ctx, chainOf());
    return proofService;
  };

  /** Replicas on PostgreSQL: only the epoch closer's leader closes, resumes and finalizes. */
  const isLeader = () => ctx.leaders?.epochs.isLeader() ?? true;
  const requireLeader = () => {
    if (isLeader()) return;
    throw new ApiError(
      409,
      "NOT_EPOCH_LEADER",
      "this replica is not the epoch closer: another replica on the same database holds the epoch lock",
      "Send the request to the leading replica (its GET /health/ready says epochLeader: true), or wait: a follower takes over within seconds when the leader stops.",
    );
  };

  let queue: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const guarded = () => {
      requireLeader();
      return run();
    };
    const result = queue.then(guarded, guarded);
    queue = result.catch(() => {});
    return result;
  };

  /** Moves a vetoed report aside and gives its receipts back. */
  async function dropVetoed(row: EpochRow): Promise<void> {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto("epoch_vetoes")
        .values({
          epoch: row.epoch,
          digest: row.digest ?? "",
          bundle_cid: row.bundle_cid,
          vetoed_at: new Date().toISOString(),
        })
        .execute();
      await trx.deleteFrom("epoch_leaves").where("epoch", "=", row.epoch).execute();
      await trx.deleteFrom("epoch_earnings").where("epoch", "=", row.epoch).execute();
      await trx.deleteFrom("epochs").where("epoch", "=", row.epoch).execute();
    });
    ctx.log("warn", "epoch report vetoed; its receipts go to the next close", { epoch: row.epoch });
  }

  /** Brings the newest row in line with the chain (submitted, finalized or vetoed meanwhile). */
  async function reconcile(): Promise<EpochRow | undefined> {
    const chain = chainOf();
    const row = await latestEpochRow(ctx);
    if (!row || row.status === "finalized" || row.status === "cut" || row.status === "bundled") return row;
    const recorded = await recordIfOnChain(ctx, chain, row);
    if (recorded) return recorded;
    if (
      row.status === "submitted" &&
      row.digest &&
      (await isVetoed(chain.sdk, { digest: row.digest as Hex }))
    ) {
      await dropVetoed(row);
      return latestEpochRow(ctx);
    }
    return row;
  }

  const verificationsTotal = ctx.metrics.counter(
    "tributary_epoch_verifications_total",
    "Public verifications of submitted epochs: `computed` (the bundle recomputed) or `cached` (a kept verdict).",
    ["result"],
  );
  const quarantinedTotal = ctx.metrics.counter(
    "tributary_epoch_receipts_quarantined_total",
    "Receipts an epoch close left out because they failed verification (the payer is not charged for them).",
  );

  /**
   * Signs `row` with co-signatures up to the quorum. When a peer refuses because the bundle differs from what it
   * recomputes, this node verifies its own bundle with the same verifier: the receipts that fail here too can be
   * settled by nobody, so they are quarantined (durably, with the reason; not charged, not paid) and the same
   * epoch is re-cut without them and offered again. One bad receipt never stalls settlement. The peers' word
   * alone quarantines nothing: a peer cannot make this node drop receipts it can verify. When this node finds no
   * bad receipt, the refusal stands (the nodes disagree on something else: an index, the chain).
   */
  async function attestOrQuarantine(row: EpochRow): Promise<EpochRow> {
    const chain = chainOf();
    let r = row;
    for (let round = 0; ; round++) {
      try {
        return await attestEpoch(ctx, chain, r, {
          peers: peersOf(),
          publicUrl,
          fetch: options.fetch ?? fetch,
        });
      } catch (error) {
        if (round >= MAX_RECUTS || !refusedAsMismatch(error)) throw error;
        progress("self-verify", { epoch: r.epoch });
        const verification = await verifyReport(reportOf(r), peersOf());
        const bad = badReceiptsOf(verification.differences);
        const { row: recut, quarantined } =
          bad.size > 0 ? await quarantineAndRecut(ctx, r, bad) : { row: r, quarantined: [] };
        if (quarantined.length === 0) {
          const e = error as ApiError;
          throw new ApiError(
            e.status,
            e.code,
            `${e.message}; this node's own verification of the bundle ${verification.ok ? "passes" : `finds ${verification.differences.length} difference(s) in no single receipt`}, so no receipt was quarantined`,
            e.hint,
            { cause: e.cause },
          );
        }
        quarantinedTotal.inc({}, quarantined.length);
        for (const id of quarantined) {
          ctx.log("warn", "receipt quarantined: it fails verification, the epoch is re-cut without it", {
            epoch: r.epoch,
            receiptId: id,
            reason: bad.get(id),
          });
        }
        progress("bundle", { epoch: r.epoch, recut: round + 1 });
        r = await bundleEpoch(ctx, chain, recut, (p) => progress("bundle", { epoch: r.epoch, ...p }));
      }
    }
  }

  /** Runs the remaining steps of `row` up to `submitted`. */
  async function advance(row: EpochRow): Promise<EpochRow> {
    const chain = chainOf();
    let r = row;
    if (r.status === "cut") {
      progress("bundle", { epoch: r.epoch });
      r = await bundleEpoch(ctx, chain, r, (p) => progress("bundle", { epoch: r.epoch, ...p }));
    }
    if (r.status === "bundled") {
      progress("sign", { epoch: r.epoch });
      r = await attestOrQuarantine(r);
    }
    if (r.status === "signed") {
      progress("submit", { epoch: r.epoch });
      r = await submitReport(ctx, chain, r);
    }
    return r;
  }

  async function resumeUnlocked(): Promise<EpochRow | undefined> {
    const row = await reconcile();
    if (row && STEPS.indexOf(row.status) < STEPS.indexOf("submitted")) return advance(row);
    return row;
  }

  /** Receipts written since the last epoch's cut (what a close would settle). */
  async function waitingReceipts(): Promise<number> {
    const waiting = await ctx.db
      .selectFrom("receipts")
      .select(sql<number>`count(*)`.as("n"))
      .where(sql<number>`rowid`, ">", await settledUpTo(ctx))
      .executeTakeFirstOrThrow();
    return waiting.n;
  }

  const nothingToClose = (row: EpochRow | undefined) => nothingToCloseError(ctx, row);

  async function closeUnlocked(closeOptions: CloseOptions = {}): Promise<EpochRow> {
    const chain = chainOf();
    let row = await resumeUnlocked();
    if (row && row.status !== "submitted" && row.status !== "finalized") return row;
    if (!closeOptions.allowEmpty && (await waitingReceipts()) === 0) throw await nothingToClose(row);
    if (row?.status === "submitted") {
      row = await finalizeReport(ctx, chain, row).catch((error: unknown) => {
        if (error instanceof ApiError && error.code === "CHALLENGE_WINDOW_OPEN") {
          throw new ApiError(409, "EPOCH_PENDING", `cannot close: ${error.message}`, error.hint);
        }
        throw error;
      });
    }
    const next = Number(await getNextEpoch(chain.sdk));
    const previous = (await latestFinalizedRow(ctx))?.epoch ?? 0;
    if (next !== previous + 1) {
      throw new ApiError(
        409,
        "EPOCH_OUT_OF_SYNC",
        `Settlement expects epoch ${next} but this node's last finalized epoch is ${previous}`,
        "Another attestor node is closing epochs on this Settlement; close from one node and co-sign on the others.",
      );
    }
    progress("cut", { epoch: next });
    const cut = await cutEpoch(ctx, chain, next, previous);
    return advance(cut);
  }

  /** Verifies `report` against its bundle from `sources` (see `verifyReportFromSources`). */
  function verifyReport(
    report: EpochReport,
    sources: readonly string[],
    maxReceipts?: number,
  ): Promise<BundleVerification> {
    return verifyReportFromSources(ctx, chainOf(), { report, sources, maxReceipts, fetch: options.fetch });
  }

  return {
    /** Whether this node closes epochs (always on SQLite; the elected replica on PostgreSQL). */
    isLeader,

    /** Finishes an interrupted close (call at start). */
    resume: () => exclusive(resumeUnlocked),

    /**
     * Closes an epoch: finalizes the previous report if its window has passed, cuts the receipts not yet in an
     * epoch, bundles, signs (with co-signatures up to the quorum) and submits.
     *
     * @throws {ApiError} 409 `NOTHING_TO_CLOSE` when no receipt waits (unless `allowEmpty`); 409 `EPOCH_PENDING`
     * while the previous report is in its challenge window; 503
     * `QUORUM_NOT_REACHED` (nothing submitted) when peers refuse.
     */
    close: (closeOptions: CloseOptions = {}) => exclusive(() => closeUnlocked(closeOptions)),

    /** Finalizes `epoch` (this node's row) once its window has passed. */
    finalize: (epoch: number) =>
      exclusive(async () => {
        await reconcile();
        const row = await requireEpochRow(ctx, epoch);
        if (row.status !== "submitted" && row.status !== "finalized") {
          throw new ApiError(
            409,
            "EPOCH_NOT_SUBMITTED",
            `epoch ${epoch} is ${row.status}`,
            "Close it first.",
          );
        }
        return finalizeReport(ctx, chainOf(), row);
      }),

    /** One timer tick: finalize what is due, close when receipts wait. Never throws. */
    async tick(): Promise<void> {
      if (!isLeader()) return;
      try {
        await exclusive(async () => {
          const row = await resumeUnlocked();
          if (row?.status === "submitted") {
            const block = await chainOf().publicClient.getBlock({ blockTag: "latest" });
            const now = Math.max(Number(block.timestamp), Math.floor(Date.now() / 1000));
            if (now < (row.challenge_ends_at ?? 0)) return;
            await finalizeReport(ctx, chainOf(), row);
          }
          if ((await waitingReceipts()) > 0) await closeUnlocked();
        });
      } catch (error) {
        ctx.log("warn", "epoch timer: close deferred", {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },

    /**
     * Verifies an epoch against the report Settlement accepted for it; stores the result on this node's row.
     * The bundle comes from `nodeURL` (one of this node's peers or its own public URL, else 403 and nothing
     * fetched) or the peers.
     */
    async verify(epoch: number, nodeURL?: string): Promise<BundleVerification> {
      const chain = chainOf();
      const peers = peersOf();
      const self = publicUrl();
      const first = nodeURL === undefined ? [] : [requirePeerUrl(nodeURL, self ? [...peers, self] : peers)];
      const onChain = await onChainReport(chain, BigInt(epoch));
      if (!onChain) {
        throw new ApiError(
          404,
          "EPOCH_NOT_ON_CHAIN",
          `Settlement has no report for epoch ${epoch}`,
          "Only submitted epochs can be verified; GET /v1/epochs lists them.",
        );
      }
      // A submitted report names its bundle by CID and the chain state it was checked against does not change:
      // the verdict is the same for every caller. Anyone may ask (this route is public), so one verification
      // per report runs at a time and its verdict is kept; asking again costs a map lookup, not a recompute.
      const key = digestOf(chain, onChain.report);
      let pending = verdicts.get(key);
      verificationsTotal.inc({ result: pending ? "cached" : "computed" });
      if (!pending) {
        pending = verifyReport(onChain.report, [...first, ...peers.filter((p) => !first.includes(p))]);
        verdicts.set(key, pending);
        while (verdicts.size > MAX_VERDICTS) verdicts.delete(verdicts.keys().next().value!);
        // Only a passing verdict is kept: a failure (a peer down, no bundle yet) or differences (which a source
        // that served other bytes could cause) are recomputed by the next call.
        pending.then(
          (verdict) => {
            if (!verdict.ok) verdicts.delete(key);
          },
          () => verdicts.delete(key),
        );
      }
      const result = await pending;
      if (await getEpochRow(ctx, epoch))
        await updateEpoch(ctx, epoch, { verification: JSON.stringify(result) });
      return result;
    },

    /**
     * A peer's request to co-sign `report` (the route has authenticated the attestor that asks): verify its
     * bundle (downloaded from `nodeURL`, which must be one of this node's peers) against the chain and, only if
     * everything matches, sign it with this node's attestor key. `receiptCount` (what the request announced)
     * bounds the receipts read from the bundle.
     *
     * @throws {ApiError} 400 `INVALID_NODE_URL`, 403 `NODE_URL_NOT_A_PEER` (nothing fetched), 409
     * `NOT_NEXT_EPOCH`, 422 `BUNDLE_MISMATCH` (with the differences; nothing stored).
     */
    async cosign(
      report: EpochReport,
      nodeURL: string,
      limits: { receiptCount?: number } = {},
    ): Promise<{ signer: Address; signature: Hex; verification: BundleVerification }> {
      const chain = chainOf();
      const peer = requirePeerUrl(nodeURL, peersOf());
      const [next, pending] = await Promise.all([getNextEpoch(chain.sdk), getPendingEpoch(chain.sdk)]);
      if (pending.epoch !== 0n || next !== report.epoch) {
        throw new ApiError(
          409,
          "NOT_NEXT_EPOCH",
          `Settlement expects epoch ${next}${pending.epoch !== 0n ? ` after pending epoch ${pending.epoch}` : ""}, not ${report.epoch}`,
          "Co-sign the next report once the previous one is finalized.",
        );
      }
      const verification = await verifyReport(report, [peer], limits.receiptCount);
      if (!verification.ok) {
        ctx.log("warn", "refused to co-sign an epoch report", {
          epoch: Number(report.epoch),
          differences: verification.differences.slice(0, 5),
        });
        throw new ApiError(
          422,
          "BUNDLE_MISMATCH",
          `epoch ${report.epoch}: the bundle does not match the report (${verification.differences.length} difference${verification.differences.length === 1 ? "" : "s"}, first: ${describe(verification.differences[0])})`,
          "Nothing was signed. Run POST /v1/epochs/:epoch/verify on the closing node to see every difference.",
          { cause: verification },
        );
      }
      const account = chain.walletClient.account as unknown as Parameters<typeof signEpochReport>[0];
      const signature = await signEpochReport(
        account,
        chain.chainId,
        chain.deployment.contracts.settlement,
        report,
      );
      ctx.log("info", "co-signed an epoch report", {
        epoch: Number(report.epoch),
        digest: digestOf(chain, report),
      });
      return { signer: getAddress(chain.walletClient.account.address), signature, verification };
    },

    proofOf: (account: Address, tree: "rewards" | "charges") => proofs().proofOf(account, tree),
    earnings: (account: Address) => earningsOf(ctx, chainOf(), account),
    claim: (accounts: readonly Address[]) => claimRelayer.relay(chainOf(), proofs(), accounts),
    payer: (payer: Address) => payerView(ctx, chainOf(), payer),
    /** One epoch as the API shows it, with the receipts quarantined out of it and why. */
    view: async (epoch: number) => ({
      ...toEpochView(await requireEpochRow(ctx, epoch)),
      quarantined: await quarantinedIn(ctx, epoch),
    }),
  };
}

function describe(
  d: { receiptId?: string; field: string; expected: string; actual: string } | undefined,
): string {
  if (!d) return "none";
  return `${d.receiptId ? `receipt ${d.receiptId} ` : ""}${d.field}: expected ${d.expected}, got ${d.actual}`;
}

/** The epoch service. */
export type EpochService = ReturnType<typeof createEpochService>;
