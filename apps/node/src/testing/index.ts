// Test helpers shared by the node's tests and the web app's browser tests (`@tributary/node/testing`).

export {
  DOCUMENTS,
  type PaidNetwork,
  type PaidNode,
  setupPaidNetwork,
} from "../epochs/testing/paidNetwork.ts";
export { mobyDickDocuments } from "../training/testing/corpus.ts";
export { waitForJob } from "../training/testing/waitForJob.ts";
export {
  type ContributeAndPublishParameters,
  contributeAndPublish,
} from "./contributeAndPublish.ts";
export { eventually } from "./eventually.ts";
export { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from "./testPostgres.ts";
