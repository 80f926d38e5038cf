// Test helpers shared by the node's tests and the web app's browser tests (`@tributary/node/testing`).
export {
  type ContributeAndPublishParameters,
  contributeAndPublish,
} from "./contributeAndPublish.ts";
export { eventually } from "./eventually.ts";
