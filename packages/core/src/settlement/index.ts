export {
  type BuildEpochReportParameters,
  buildEpochReport,
  type EpochReport,
} from "./buildEpochReport.ts";
export { canonicalReceiptBytes, receiptToJson } from "./canonicalReceiptBytes.ts";
export { BPS_TOTAL, MAX_UINT128 } from "./checks.ts";
export { agentFeeOf, computePrice, maxCharge, maxPrice } from "./computePrice.ts";
export {
  type CreateEpochAggregatorParameters,
  createEpochAggregator,
  EMPTY_TREE_ROOT,
  type EpochAggregation,
  type EpochAggregator,
  type FinishEpochOptions,
  type ReceiptMoney,
} from "./createEpochAggregator.ts";
export { SettlementError, type SettlementErrorCode } from "./errors.ts";
export { fallbackContributions } from "./fallbackContributions.ts";
export { type Claimant, largestRemainder } from "./largestRemainder.ts";
export {
  HighSSignatureError,
  isLowS,
  SECP256K1_HALF_N,
  SECP256K1_N,
  signatureS,
  toLowS,
} from "./lowS.ts";
export {
  type DatanetVersionRef,
  RECEIPT_VERSION,
  type Receipt,
  type ReceiptAttribution,
} from "./receipt.ts";
export { type ReceiptFromJsonOptions, receiptFromJson } from "./receiptFromJson.ts";
export { receiptHash } from "./receiptHash.ts";
export {
  type ReceiptSignatureProblem,
  type ReceiptSigner,
  receiptDomain,
  receiptSignatureProblem,
  receiptSigningPayload,
  receiptTypes,
  signReceipt,
  verifyReceiptSignature,
} from "./receiptSignature.ts";
export {
  computeReceiptsRoot,
  createReceiptsRootBuilder,
  EMPTY_RECEIPTS_ROOT,
  type ReceiptLeaf,
  type ReceiptsRootBuilder,
  receiptInclusionProof,
  type VerifyReceiptInclusionParameters,
  verifyReceiptInclusion,
} from "./receiptsRoot.ts";
export { type SplitFeeParameters, type SplitFeeReturnType, splitFee } from "./splitFee.ts";
export type {
  ContributionPayout,
  CumulativeTotals,
  FallbackContribution,
  FeePart,
  FeeRole,
  Pricing,
  Split,
} from "./types.ts";
export {
  type EpochDifference,
  type RecomputedAttribution,
  type SplitContext,
  type VerifyEpochParameters,
  type VerifyEpochReturnType,
  verifyEpoch,
} from "./verifyEpoch.ts";
