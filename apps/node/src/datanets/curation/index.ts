/** Curation: what awaits review (with near-duplicate flags and previews), reviews with the node's key, contribution views. */
export { type ContributionView, getContributionView } from "./getContributionView.ts";
export {
  type ListPendingContributionsParameters,
  type ListPendingContributionsReturnType,
  listPendingContributions,
  type PendingContribution,
} from "./listPendingContributions.ts";
export { originalsOf } from "./originalsOf.ts";
export { type ContentPreview, previewOf } from "./previewOf.ts";
export {
  type ReviewPendingContributionsParameters,
  type ReviewPendingContributionsReturnType,
  reviewPendingContributions,
} from "./reviewPendingContributions.ts";
