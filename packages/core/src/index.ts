/**
 * Pure Tributary logic: no fs, network or database. Identical in the node, the CLI verifier and the browser.
 */
export * from "./attribution/index.ts";
export * from "./errors/index.ts";
export * from "./ingest/index.ts";
export * from "./merkle/index.ts";
export * from "./money/index.ts";
export * from "./settlement/index.ts";
export * from "./tokenizer/index.ts";
