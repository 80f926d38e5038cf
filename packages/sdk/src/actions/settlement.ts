/**
 * Typed actions of the Settlement contract: deposits, withdrawals, epoch reports (EIP-712 typed data,
 * signing, submission, veto, finalization), claims, owner settings and every view. One operation per file.
 */
export {
  type AcceptSettlementOwnershipErrorType,
  type AcceptSettlementOwnershipParameters,
  type AcceptSettlementOwnershipReturnType,
  acceptSettlementOwnership,
} from "./settlement/acceptSettlementOwnership.ts";
export {
  type AddAttestorErrorType,
  type AddAttestorParameters,
  type AddAttestorReturnType,
  addAttestor,
} from "./settlement/addAttestor.ts";
export {
  type ApproveAndDepositErrorType,
  type ApproveAndDepositParameters,
  type ApproveAndDepositReturnType,
  approveAndDeposit,
} from "./settlement/approveAndDeposit.ts";
export {
  type CancelWithdrawalErrorType,
  type CancelWithdrawalParameters,
  type CancelWithdrawalReturnType,
  cancelWithdrawal,
} from "./settlement/cancelWithdrawal.ts";
export {
  type ClaimErrorType,
  type ClaimParameters,
  type ClaimReturnType,
  claim,
} from "./settlement/claim.ts";
export {
  type ClaimManyErrorType,
  type ClaimManyParameters,
  type ClaimManyReturnType,
  type ClaimRequest,
  claimMany,
} from "./settlement/claimMany.ts";
export {
  type BuildCosignRequestTypedDataParameters,
  buildCosignRequestTypedData,
  type CosignRequest,
  type CosignRequestBody,
  cosignRequestBody,
  cosignRequestTypes,
  signCosignRequest,
} from "./settlement/cosignRequestTypedData.ts";
export {
  type DepositErrorType,
  type DepositParameters,
  type DepositReturnType,
  deposit,
} from "./settlement/deposit.ts";
export {
  type DepositForErrorType,
  type DepositForParameters,
  type DepositForReturnType,
  depositFor,
} from "./settlement/depositFor.ts";
export {
  type BuildEpochReportTypedDataParameters,
  buildEpochReportTypedData,
  type EpochReport,
  epochReportTypes,
  hashEpochReportOffline,
  settlementDomain,
} from "./settlement/epochReportTypedData.ts";
export {
  type FinalizeEpochErrorType,
  type FinalizeEpochParameters,
  type FinalizeEpochReturnType,
  finalizeEpoch,
} from "./settlement/finalizeEpoch.ts";
export {
  type GetAttestorsErrorType,
  type GetAttestorsParameters,
  type GetAttestorsReturnType,
  getAttestors,
} from "./settlement/getAttestors.ts";
export {
  type GetChallengeWindowErrorType,
  type GetChallengeWindowParameters,
  type GetChallengeWindowReturnType,
  getChallengeWindow,
} from "./settlement/getChallengeWindow.ts";
export {
  type GetClaimedErrorType,
  type GetClaimedParameters,
  type GetClaimedReturnType,
  getClaimed,
} from "./settlement/getClaimed.ts";
export {
  type GetDepositedErrorType,
  type GetDepositedParameters,
  type GetDepositedReturnType,
  getDeposited,
} from "./settlement/getDeposited.ts";
export {
  type EpochRecord,
  type GetFinalizedEpochErrorType,
  type GetFinalizedEpochParameters,
  type GetFinalizedEpochReturnType,
  getFinalizedEpoch,
} from "./settlement/getFinalizedEpoch.ts";
export {
  type GetGuardianErrorType,
  type GetGuardianParameters,
  type GetGuardianReturnType,
  getGuardian,
} from "./settlement/getGuardian.ts";
export {
  type GetNextEpochErrorType,
  type GetNextEpochParameters,
  type GetNextEpochReturnType,
  getNextEpoch,
} from "./settlement/getNextEpoch.ts";
export {
  type GetPendingEpochErrorType,
  type GetPendingEpochParameters,
  type GetPendingEpochReturnType,
  getPendingEpoch,
} from "./settlement/getPendingEpoch.ts";
export {
  type GetProtocolFeeBpsErrorType,
  type GetProtocolFeeBpsParameters,
  type GetProtocolFeeBpsReturnType,
  getProtocolFeeBps,
} from "./settlement/getProtocolFeeBps.ts";
export {
  type GetQuorumErrorType,
  type GetQuorumParameters,
  type GetQuorumReturnType,
  getQuorum,
} from "./settlement/getQuorum.ts";
export {
  type GetSettlementOwnerErrorType,
  type GetSettlementOwnerParameters,
  type GetSettlementOwnerReturnType,
  getSettlementOwner,
} from "./settlement/getSettlementOwner.ts";
export {
  type GetSettlementPendingOwnerErrorType,
  type GetSettlementPendingOwnerParameters,
  type GetSettlementPendingOwnerReturnType,
  getSettlementPendingOwner,
} from "./settlement/getSettlementPendingOwner.ts";
export {
  type GetSettlementTokenErrorType,
  type GetSettlementTokenParameters,
  type GetSettlementTokenReturnType,
  getSettlementToken,
} from "./settlement/getSettlementToken.ts";
export {
  type GetSettlementTreasuryErrorType,
  type GetSettlementTreasuryParameters,
  type GetSettlementTreasuryReturnType,
  getSettlementTreasury,
} from "./settlement/getSettlementTreasury.ts";
export {
  type GetTotalDepositedErrorType,
  type GetTotalDepositedParameters,
  type GetTotalDepositedReturnType,
  getTotalDeposited,
} from "./settlement/getTotalDeposited.ts";
export {
  type GetTotalWithdrawnErrorType,
  type GetTotalWithdrawnParameters,
  type GetTotalWithdrawnReturnType,
  getTotalWithdrawn,
} from "./settlement/getTotalWithdrawn.ts";
export {
  type GetWithdrawalDelayErrorType,
  type GetWithdrawalDelayParameters,
  type GetWithdrawalDelayReturnType,
  getWithdrawalDelay,
} from "./settlement/getWithdrawalDelay.ts";
export {
  type GetWithdrawalRequestedAtErrorType,
  type GetWithdrawalRequestedAtParameters,
  type GetWithdrawalRequestedAtReturnType,
  getWithdrawalRequestedAt,
} from "./settlement/getWithdrawalRequestedAt.ts";
export {
  type GetWithdrawnErrorType,
  type GetWithdrawnParameters,
  type GetWithdrawnReturnType,
  getWithdrawn,
} from "./settlement/getWithdrawn.ts";
export {
  type HashEpochReportErrorType,
  type HashEpochReportParameters,
  type HashEpochReportReturnType,
  hashEpochReport,
} from "./settlement/hashEpochReport.ts";
export {
  type IsAttestorErrorType,
  type IsAttestorParameters,
  type IsAttestorReturnType,
  isAttestor,
} from "./settlement/isAttestor.ts";
export {
  type IsVetoedErrorType,
  type IsVetoedParameters,
  type IsVetoedReturnType,
  isVetoed,
} from "./settlement/isVetoed.ts";
export {
  type RemoveAttestorErrorType,
  type RemoveAttestorParameters,
  type RemoveAttestorReturnType,
  removeAttestor,
} from "./settlement/removeAttestor.ts";
export {
  type RequestWithdrawalErrorType,
  type RequestWithdrawalParameters,
  type RequestWithdrawalReturnType,
  requestWithdrawal,
} from "./settlement/requestWithdrawal.ts";
export {
  type SetChallengeWindowErrorType,
  type SetChallengeWindowParameters,
  type SetChallengeWindowReturnType,
  setChallengeWindow,
} from "./settlement/setChallengeWindow.ts";
export {
  type SetGuardianErrorType,
  type SetGuardianParameters,
  type SetGuardianReturnType,
  setGuardian,
} from "./settlement/setGuardian.ts";
export {
  type SetProtocolFeeBpsErrorType,
  type SetProtocolFeeBpsParameters,
  type SetProtocolFeeBpsReturnType,
  setProtocolFeeBps,
} from "./settlement/setProtocolFeeBps.ts";
export {
  type SetQuorumErrorType,
  type SetQuorumParameters,
  type SetQuorumReturnType,
  setQuorum,
} from "./settlement/setQuorum.ts";
export {
  type SetSettlementTreasuryErrorType,
  type SetSettlementTreasuryParameters,
  type SetSettlementTreasuryReturnType,
  setSettlementTreasury,
} from "./settlement/setSettlementTreasury.ts";
export {
  type SetWithdrawalDelayErrorType,
  type SetWithdrawalDelayParameters,
  type SetWithdrawalDelayReturnType,
  setWithdrawalDelay,
} from "./settlement/setWithdrawalDelay.ts";
export { type EpochReportSigner, signEpochReport } from "./settlement/signEpochReport.ts";
export {
  type SubmitEpochErrorType,
  type SubmitEpochParameters,
  type SubmitEpochReturnType,
  submitEpoch,
} from "./settlement/submitEpoch.ts";
export {
  type TransferSettlementOwnershipErrorType,
  type TransferSettlementOwnershipParameters,
  type TransferSettlementOwnershipReturnType,
  transferSettlementOwnership,
} from "./settlement/transferSettlementOwnership.ts";
export {
  type VetoEpochErrorType,
  type VetoEpochParameters,
  type VetoEpochReturnType,
  vetoEpoch,
} from "./settlement/vetoEpoch.ts";
export {
  type WithdrawErrorType,
  type WithdrawParameters,
  type WithdrawReturnType,
  withdraw,
} from "./settlement/withdraw.ts";
