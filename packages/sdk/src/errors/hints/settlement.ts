import type { RevertHint } from "./index.ts";

const str = (v: unknown) => String(v);
const time = (v: unknown) => {
  const s = Number(v);
  return Number.isFinite(s) && s > 0 ? `${new Date(s * 1000).toISOString()} (unix ${s})` : str(v);
};

/**
 * What to do for each custom error of Settlement, keyed by error name; the arguments are the decoded
 * error arguments in ABI order.
 */
export const settlementHints: Record<string, RevertHint> = {
  SettlementZeroAmount: () => "Pass a positive amount.",
  SettlementZeroAddress: ([what]) => `The ${str(what)} address must not be the zero address.`,
  SettlementEpochPending: ([pending]) =>
    `Epoch ${str(pending)} is still in its challenge window: finalize it (or let the guardian veto it) before submitting the next report.`,
  SettlementUnexpectedEpoch: ([epoch, expected]) =>
    `The report is for epoch ${str(epoch)} but Settlement expects epoch ${str(expected)}; rebuild and re-sign the report for that epoch (read it with getNextEpoch).`,
  SettlementReportVetoed: ([digest]) =>
    `This exact report (${str(digest)}) was vetoed; fix what the guardian objected to, then sign and submit a different report for the epoch.`,
  SettlementInvalidSignature: ([index]) =>
    `Signature #${str(index)} is malformed; each signature must be a 65-byte EIP-712 signature (signEpochReport).`,
  SettlementSignerNotAttestor: ([signer]) =>
    `${str(signer)} is not a current attestor. Check that it signed for this chain id and Settlement address, and that it is in getAttestors.`,
  SettlementDuplicateSigner: ([signer]) =>
    `${str(signer)} signed twice; pass each attestor's signature once.`,
  SettlementQuorumNotReached: ([count, quorum]) =>
    `The report has ${str(count)} signatures but needs ${str(quorum)} distinct attestors; collect more co-signatures.`,
  SettlementChargesDecreased: ([charged, previous]) =>
    `Cumulative charges must never decrease: ${str(charged)} < finalized ${str(previous)}. The report must be cumulative over all epochs.`,
  SettlementRewardsDecreased: ([rewards, previous]) =>
    `Cumulative rewards must never decrease: ${str(rewards)} < finalized ${str(previous)}. The report must be cumulative over all epochs.`,
  SettlementRewardsExceedCharges: ([rewards, charged]) =>
    `The report pays ${str(rewards)} in rewards but collected only ${str(charged)}; the fee split must balance to the unit.`,
  SettlementChargesExceedBacking: ([charged, backing]) =>
    `The report charges ${str(charged)} but payers only have ${str(backing)} deposited and not withdrawn; a payer was served beyond its credit. Recompute the epoch without unbacked charges.`,
  SettlementEpochNotPending: ([epoch]) =>
    `Epoch ${str(epoch)} is not the pending report (it was finalized, vetoed, or never submitted); read getPendingEpoch.`,
  SettlementChallengeWindowOpen: ([epoch, endsAt]) =>
    `Epoch ${str(epoch)} can be finalized from ${time(endsAt)}; wait until then.`,
  SettlementChallengeWindowClosed: ([epoch, endsAt]) =>
    `The challenge window of epoch ${str(epoch)} ended at ${time(endsAt)}; it can no longer be vetoed, only finalized.`,
  SettlementNotGuardian: ([caller]) =>
    `${str(caller)} is not the guardian; only getGuardian may veto reports.`,
  SettlementNoFinalizedEpoch: () =>
    "No epoch report has been finalized yet; wait for the first finalization.",
  SettlementInvalidProof: ([account, amount]) =>
    `The proof does not place (${str(account)}, ${str(amount)}) in the latest finalized tree. Build the proof from the tree of the finalized epoch (getFinalizedEpoch), not an older or pending one.`,
  SettlementNothingToClaim: ([account, amount, claimed]) =>
    `${str(account)} already claimed ${str(claimed)}, at least its cumulative ${str(amount)}; nothing is owed until a later epoch raises it.`,
  SettlementWithdrawalNotRequested: ([payer]) =>
    `${str(payer)} has no pending withdrawal request; call requestWithdrawal first.`,
  SettlementWithdrawalAlreadyRequested: ([payer, at]) =>
    `${str(payer)} already requested a withdrawal at ${time(at)}; wait for it, or cancelWithdrawal.`,
  SettlementWithdrawalDelayNotElapsed: ([payer, availableAt]) =>
    `${str(payer)} can withdraw from ${time(availableAt)}; wait until then.`,
  SettlementNoReportSinceRequest: ([payer, requestedAt, submittedAt]) =>
    `The latest finalized report was submitted at ${time(submittedAt)}, not after ${str(payer)}'s request at ${time(requestedAt)}; wait until a newer report is finalized.`,
  SettlementNothingToWithdraw: ([payer, credit, charged]) =>
    `${str(payer)}'s proven charges ${str(charged)} cover all of its credit ${str(credit)}; there is nothing left to withdraw.`,
  SettlementWithdrawalUnbacked: ([payer, amount, charged, backing]) =>
    `Paying ${str(amount)} to ${str(payer)} would leave ${str(backing)}, below the latest report's charges ${str(charged)}: the pending report charges this payer more than the finalized one. Wait for it to be finalized or vetoed, then withdraw against it.`,
  SettlementInvalidQuorum: ([quorum, count]) =>
    `Quorum ${str(quorum)} must be between 1 and the attestor count ${str(count)}; add attestors or lower the quorum first.`,
  SettlementAttestorExists: ([attestor]) => `${str(attestor)} is already an attestor.`,
  SettlementAttestorNotFound: ([attestor]) => `${str(attestor)} is not an attestor; read getAttestors.`,
  SettlementProtocolFeeTooHigh: ([bps, max]) =>
    `The protocol fee ${str(bps)} bps exceeds the maximum ${str(max)} bps.`,
  SettlementDurationTooLong: ([duration, max]) =>
    `${str(duration)} seconds exceeds the maximum of ${str(max)} seconds (30 days).`,
};
