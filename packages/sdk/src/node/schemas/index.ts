/**
 * Zod schemas of the node's HTTP API, shared by the node (validation, OpenAPI document) and the SDK
 * (`createNodeClient` types). Request schemas describe what the node accepts; response schemas what it
 * answers (bigints as decimal strings).
 */
export * from "./attribution.ts";
export * from "./common.ts";
export * from "./curation.ts";
export * from "./datanets.ts";
export * from "./epochs.ts";
export * from "./health.ts";
export * from "./uploads.ts";
export * from "./versions.ts";
