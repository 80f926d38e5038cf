/**
 * Pure Tributary logic: no fs, network or database. Identical in the node, the CLI verifier and the browser.
 */
export * from "./merkle/index.ts";
