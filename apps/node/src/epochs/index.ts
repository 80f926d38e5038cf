/** Epoch close, verification, co-signing, proofs, earnings and claims (docs/epochs.md, docs/api-epochs.md). */
export { type BundleLine, createBundleWriter, readBundle } from "./bundle.ts";
export { type CreateEpochRoutesOptions, createEpochRoutes, jsonify } from "./createEpochRoutes.ts";
export { createEpochService, type EpochService, type EpochServiceOptions } from "./createEpochService.ts";
export { type EpochView, toEpochView } from "./epochRecords.ts";
export type { VerifyProgress } from "./verifyBundle.ts";
export { type AttributionEngine, type BundleVerification, verifyBundle } from "./verifyBundle.ts";
export {
  type VerifyEpochLocallyParameters,
  type VerifyEpochLocallyReturnType,
  verifyEpochLocally,
} from "./verifyEpochLocally.ts";
